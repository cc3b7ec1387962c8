using Vigil.Policy.Syntax;
using Vigil.Policy.Values;
using A = Vigil.Policy.Syntax.Ast;

namespace Vigil.Policy.Compilation;

internal sealed partial class Compiler
{
    /// <summary><c>rego.metadata.rule()</c>: the rule-scoped annotation of the enclosing rule, or <c>{}</c>.</summary>
    private static Value MetadataRule(A.Module? module, A.Rule? rule) =>
        module is null || rule is null ? ObjectValue.Empty : AnnotationChain.RuleMetadata(module, rule);

    /// <summary><c>rego.metadata.chain()</c> for the enclosing rule (empty outside rules).</summary>
    private Value MetadataChain(ModuleContext context, A.Rule? rule, RuleNode? node) =>
        context.Module is null || rule is null || node is null ? ArrayValue.Empty : AnnotationChain.Chain(_modules, context.Module, rule);
}
