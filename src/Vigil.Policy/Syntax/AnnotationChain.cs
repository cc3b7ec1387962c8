using Vigil.Policy.Syntax.Ast;
using Vigil.Policy.Values;

namespace Vigil.Policy.Syntax;

/// <summary>
/// The values of <c>rego.metadata.rule()</c> and <c>rego.metadata.chain()</c> for an active rule, computed from the
/// parsed annotations of all modules (package annotations apply across every module of the package).
/// </summary>
internal static class AnnotationChain
{
    /// <summary><c>rego.metadata.rule()</c>: the rule's <c>rule</c>-scope annotation, or an empty object.</summary>
    public static ObjectValue RuleMetadata(Module module, Rule rule) =>
        module.AnnotationsOf(rule).FirstOrDefault(a => a.Scope == "rule")?.Value ?? ObjectValue.Empty;

    /// <summary>
    /// <c>rego.metadata.chain()</c>: from the active rule outwards — the rule (always present; <c>annotations</c> only if
    /// it has a <c>rule</c>-scope block), <c>document</c>-scope blocks of rules with the same path, the package's
    /// <c>package</c>-scope blocks, then <c>subpackages</c>-scope blocks of the package and its ancestors.
    /// </summary>
    public static ArrayValue Chain(IEnumerable<Module> modules, Module module, Rule rule)
    {
        var all = modules as IReadOnlyCollection<Module> ?? modules.ToList();
        var packagePath = PackagePath(module);
        var rulePath = RulePath(packagePath, rule);
        var entries = new List<Value>();
        var own = module.AnnotationsOf(rule).Where(a => a.Scope == "rule").ToList();
        if (own.Count == 0)
        {
            entries.Add(Entry(rulePath, null));
        }

        entries.AddRange(own.Select(a => Entry(rulePath, a.Value)));

        foreach (var m in all)
        {
            var mPath = PackagePath(m);
            foreach (var a in m.Annotations)
            {
                if (a.Scope == "document" && a.Target is Rule r && RulePath(mPath, r).SequenceEqual(rulePath, StringComparer.Ordinal))
                {
                    entries.Add(Entry(rulePath, a.Value));
                }
            }
        }

        AddPackageScoped(all, packagePath, "package", entries);
        for (var length = packagePath.Count; length >= 1; length--)
        {
            AddPackageScoped(all, packagePath.Take(length).ToList(), "subpackages", entries);
        }

        return ArrayValue.Create(entries);
    }

    private static void AddPackageScoped(IEnumerable<Module> modules, List<string> path, string scope, List<Value> entries)
    {
        foreach (var m in modules)
        {
            if (!PackagePath(m).SequenceEqual(path, StringComparer.Ordinal))
            {
                continue;
            }

            foreach (var a in m.Annotations)
            {
                if (a.Scope == scope && a.Target is Package)
                {
                    entries.Add(Entry(path, a.Value));
                }
            }
        }
    }

    private static ObjectValue Entry(List<string> path, ObjectValue? annotations)
    {
        var fields = new List<KeyValuePair<string, Value>> { new("path", ArrayValue.Create(path.Select(p => (Value)Value.From(p)))) };
        if (annotations is not null)
        {
            fields.Add(new("annotations", annotations));
        }

        return ObjectValue.Create(fields);
    }

    /// <summary>The package path without <c>data</c>: <c>package a.b</c> gives <c>["a", "b"]</c>.</summary>
    public static List<string> PackagePath(Module module) =>
        module.Package.Path.Path.Select(t => t is Scalar { Value: StringValue s } ? s.Value : t.ToString()).ToList();

    /// <summary>The package path plus the rule ref up to its first non-string term: <c>p.q[x]</c> in <c>a</c> gives <c>["a", "p", "q"]</c>.</summary>
    public static List<string> RulePath(List<string> packagePath, Rule rule)
    {
        var path = new List<string>(packagePath) { rule.Head.Name };
        foreach (var t in rule.Head.Reference.Path)
        {
            if (t is not Scalar { Value: StringValue s })
            {
                break;
            }

            path.Add(s.Value);
        }

        return path;
    }
}
