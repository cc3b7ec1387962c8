using Vigil.Policy.Values;
using A = Vigil.Policy.Syntax.Ast;

namespace Vigil.Policy.Compilation;

internal sealed partial class Compiler
{
    /// <summary><c>rego.metadata.rule()</c>: the rule-scoped annotation of the enclosing rule, or <c>{}</c>.</summary>
    private Value MetadataRule(A.Module? module, A.Rule? rule)
    {
        if (module is null || rule is null)
        {
            return ObjectValue.Empty;
        }

        foreach (var annotation in module.AnnotationsOf(rule))
        {
            if (annotation.Scope == "rule")
            {
                return annotation.Value;
            }
        }

        return ObjectValue.Empty;
    }

    /// <summary>
    /// <c>rego.metadata.chain()</c>: from the rule outwards — the rule (with its rule annotation), document annotations
    /// of rules at the same path, the package annotation, then subpackages annotations of enclosing packages.
    /// </summary>
    private Value MetadataChain(ModuleContext context, A.Rule? rule, RuleNode? node)
    {
        if (context.Module is null || rule is null || node is null)
        {
            return ArrayValue.Empty;
        }

        var chain = new List<Value>();
        var rulePath = PathValue(node.Path);
        var own = MetadataRule(context.Module, rule);
        chain.Add(Entry(rulePath, own.Equals(ObjectValue.Empty) ? null : own));

        foreach (var module in _modules)
        {
            foreach (var annotation in module.Annotations)
            {
                if (annotation.Scope == "document" && annotation.Target is A.Rule target && RulePath(module, target).SequenceEqual(node.Path))
                {
                    chain.Add(Entry(rulePath, annotation.Value));
                }
            }
        }

        var packagePath = context.PackagePath;
        foreach (var module in _modules)
        {
            foreach (var annotation in module.Annotations)
            {
                if (annotation.Scope == "package" && annotation.Target is A.Package && PackagePath(module).SequenceEqual(packagePath))
                {
                    chain.Add(Entry(PathValue(packagePath), annotation.Value));
                }
            }
        }

        for (var length = packagePath.Length; length >= 0; length--)
        {
            var prefix = packagePath.AsSpan(0, length).ToArray();
            foreach (var module in _modules)
            {
                foreach (var annotation in module.Annotations)
                {
                    if (annotation.Scope == "subpackages" && annotation.Target is A.Package && PackagePath(module).SequenceEqual(prefix))
                    {
                        chain.Add(Entry(PathValue(prefix), annotation.Value));
                    }
                }
            }
        }

        return ArrayValue.Wrap([.. chain]);
    }

    private static Value Entry(Value path, Value? annotations)
    {
        var dict = new Dictionary<Value, Value> { [StringValue.From("path")] = path };
        if (annotations is not null)
        {
            dict[StringValue.From("annotations")] = annotations;
        }

        return ObjectValue.Wrap(dict);
    }

    private static Value PathValue(IEnumerable<string> path) => ArrayValue.Create(path.Select(static s => (Value)StringValue.From(s)));

    private static string[] PackagePath(A.Module module) =>
        [.. module.Package.Path.Path.OfType<A.Scalar>().Select(static s => s.Value).OfType<StringValue>().Select(static s => s.Value)];

    private static IEnumerable<string> RulePath(A.Module module, A.Rule rule)
    {
        foreach (var segment in PackagePath(module))
        {
            yield return segment;
        }

        yield return rule.Head.Name;
        foreach (var t in rule.Head.Reference.Path)
        {
            if (t is not A.Scalar { Value: StringValue s })
            {
                yield break;
            }

            yield return s.Value;
        }
    }
}
