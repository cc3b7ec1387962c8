using Vigil.Policy.Syntax;
using Vigil.Policy.Syntax.Ast;

namespace Vigil.Policy.Tests.Syntax;

public sealed class AnnotationTests
{
    private static Module Parse(string text) => RegoParser.ParseModule("test.rego", text, RegoVersion.V1);

    [Fact]
    public void ParseModule_MetadataBlocks_AttachToPackageAndRule()
    {
        var module = Parse("""
            # METADATA
            # description: The Rego test suite
            package testing

            # METADATA
            # title: Testing annotations
            # authors:
            # - The OPA contributors
            p := x if {
            	x := 1
            }
            """);
        Assert.Equal(2, module.Annotations.Count);
        var pkg = module.Annotations[0];
        Assert.Same(module.Package, pkg.Target);
        Assert.Equal("package", pkg.Scope);
        Assert.Equal("""{"description":"The Rego test suite","scope":"package"}""", pkg.Value.ToJson());
        var rule = module.Annotations[1];
        Assert.Same(module.Rules[0], rule.Target);
        Assert.Equal("""{"authors":[{"name":"The OPA contributors"}],"scope":"rule","title":"Testing annotations"}""", rule.Value.ToJson());
        Assert.Equal(new SourceLocation("test.rego", 5, 1), rule.Location);
        Assert.Single(module.AnnotationsOf(module.Rules[0]));
    }

    [Fact]
    public void ParseModule_MetadataFields_AreConvertedLikeOpa()
    {
        var module = Parse("""
            package t

            # METADATA
            # scope: document
            # title: T
            # entrypoint: true
            # organizations:
            # - Acme
            # related_resources:
            # - https://example.com
            # - ref: https://example.org
            #   description: docs
            # authors:
            # - Jane Doe <jane@example.com>
            # - name: Bob
            # custom:
            #   severity: 3
            #   ratio: 0.5
            #   enabled: false
            #   tags: [a, "1"]
            #   nothing: null
            allow if input.x
            """);
        var a = Assert.Single(module.Annotations);
        Assert.Equal("document", a.Scope);
        Assert.Equal(
            """{"authors":[{"email":"jane@example.com","name":"Jane Doe"},{"name":"Bob"}],"custom":{"enabled":false,"nothing":null,"ratio":0.5,"severity":3,"tags":["a","1"]},"entrypoint":true,"organizations":["Acme"],"related_resources":[{"ref":"https://example.com"},{"description":"docs","ref":"https://example.org"}],"scope":"document","title":"T"}""",
            a.Value.ToJson());
    }

    [Fact]
    public void ParseModule_OrdinaryCommentsAndLooseBlocks_AreNotAnnotations()
    {
        var module = Parse("""
            package t

            # just a comment
            p := 1

            # METADATA
            # title: first

            q := 2
            """);
        var a = Assert.Single(module.Annotations);
        Assert.Same(module.Rules[1], a.Target);
    }

    [Theory]
    [InlineData("# METADATA\n# scope: rule\npackage t\n", "annotation scope 'rule' must be applied to rule (have package)")]
    [InlineData("package t\n# METADATA\n# scope: package\np := 1\n", "annotation scope 'package' must be applied to package (have rule)")]
    [InlineData("package t\n# METADATA\n# scope: everything\np := 1\n", "invalid annotation scope 'everything'. Use one of 'rule', 'document', 'package' or 'subpackages'")]
    [InlineData("package t\n# METADATA\n#\np := 1\n", "expected METADATA block, found whitespace")]
    [InlineData("package t\n# METADATA\n# authors:\n# - \"\"\np := 1\n", "invalid author definition : author is an empty string")]
    public void ParseModule_InvalidMetadata_IsAParseError(string text, string message)
    {
        var error = Assert.Single(Assert.Throws<PolicyCompileException>(() => Parse(text)).Errors);
        Assert.Equal(PolicyErrorCodes.ParseError, error.Code);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void ParseModule_BrokenMetadataYaml_IsAParseErrorAtTheBlock()
    {
        var error = Assert.Single(Assert.Throws<PolicyCompileException>(() => Parse("package t\n\n# METADATA\n# title: [unclosed\np := 1\n")).Errors);
        Assert.StartsWith("yaml: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.Location!.Value.Line);
    }
}

public sealed class AnnotationChainTests
{
    private static Module Parse(string text, string file = "test.rego") => RegoParser.ParseModule(file, text, RegoVersion.V1);

    [Fact]
    public void Chain_RuleAndPackage_MatchesOpaConformance()
    {
        var module = Parse("""
            # METADATA
            # description: The Rego test suite
            package testing

            # METADATA
            # title: Testing annotations
            # authors:
            # - The OPA contributors
            p := x if {
            	x := rego.metadata.chain()
            }
            """);
        Assert.Equal(
            """[{"annotations":{"authors":[{"name":"The OPA contributors"}],"scope":"rule","title":"Testing annotations"},"path":["testing","p"]},{"annotations":{"description":"The Rego test suite","scope":"package"},"path":["testing"]}]""",
            AnnotationChain.Chain([module], module, module.Rules[0]).ToJson());
        Assert.Equal("""{"authors":[{"name":"The OPA contributors"}],"scope":"rule","title":"Testing annotations"}""", AnnotationChain.RuleMetadata(module, module.Rules[0]).ToJson());
    }

    [Fact]
    public void Chain_DocumentScopeFromOtherDefinition_FollowsRuleScope()
    {
        var module = Parse("""
            # METADATA
            # description: The Rego test suite
            package testing

            # METADATA
            # scope: document
            # title: Testing annotations
            # authors:
            # - The OPA contributors
            p := "foo" if {
            	false
            }

            # METADATA
            # title: Another annotation
            p := x if {
            	x := rego.metadata.chain()
            }
            """);
        Assert.Equal(
            """[{"annotations":{"scope":"rule","title":"Another annotation"},"path":["testing","p"]},{"annotations":{"authors":[{"name":"The OPA contributors"}],"scope":"document","title":"Testing annotations"},"path":["testing","p"]},{"annotations":{"description":"The Rego test suite","scope":"package"},"path":["testing"]}]""",
            AnnotationChain.Chain([module], module, module.Rules[1]).ToJson());
        Assert.Equal("""{"scope":"rule","title":"Another annotation"}""", AnnotationChain.RuleMetadata(module, module.Rules[1]).ToJson());
        Assert.Equal("{}", AnnotationChain.RuleMetadata(module, module.Rules[0]).ToJson());
    }

    [Fact]
    public void Chain_PackageAnnotationInOtherModule_AndSubpackages_AreIncluded()
    {
        var a = Parse("# METADATA\n# description: A set of package annotations seen across multiple modules\npackage testing\n", "a.rego");
        var top = Parse("# METADATA\n# scope: subpackages\n# title: everything\npackage top\n", "top.rego");
        var b = Parse("package testing\n\np := rego.metadata.chain()\n", "b.rego");
        Assert.Equal(
            """[{"path":["testing","p"]},{"annotations":{"description":"A set of package annotations seen across multiple modules","scope":"package"},"path":["testing"]}]""",
            AnnotationChain.Chain([a, top, b], b, b.Rules[0]).ToJson());

        var nested = Parse("package top.sub\n\nq.r[x] := 1 if x := 2\n", "n.rego");
        Assert.Equal(
            """[{"path":["top","sub","q","r"]},{"annotations":{"scope":"subpackages","title":"everything"},"path":["top"]}]""",
            AnnotationChain.Chain([a, top, b, nested], nested, nested.Rules[0]).ToJson());
    }
}
