using Vigil.Policy.Syntax.Ast;
using Vigil.Policy.Values;

namespace Vigil.Policy.Testing;

/// <summary>
/// Test rules as OPA's tester (v1/tester/runner.go) finds and names them: a test is a rule of any module whose
/// reference has, in its ground prefix, a name starting with <c>test_</c> (or <c>todo_test_</c>, skipped). Test rules
/// that share a name (in one module or across files of a package) are renamed before compilation, the second
/// <c>name#01</c>, the third <c>name#02</c> (rewriteDuplicateTestNames), so each runs and is reported alone and a
/// failing definition cannot hide behind a passing one.
/// </summary>
internal static class TestRules
{
    public const string TestPrefix = "test_";

    public const string SkipTestPrefix = "todo_test_";

    public static bool IsTestName(string name) =>
        name.StartsWith(TestPrefix, StringComparison.Ordinal) || name.StartsWith(SkipTestPrefix, StringComparison.Ordinal);

    /// <summary>Renames duplicate test rules; modules are taken in file order, rules in source order.</summary>
    public static IReadOnlyList<Module> SeparateDuplicates(IReadOnlyList<Module> modules)
    {
        var count = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new List<Module>(modules.Count);
        foreach (var module in modules.OrderBy(static m => m.File, StringComparer.Ordinal))
        {
            var renamed = new Dictionary<Rule, Rule>(ReferenceEqualityComparer.Instance);
            var package = module.Package.Path.ToString();
            foreach (var rule in module.Rules)
            {
                if (FindTestName(rule.Head.Reference) is not var (name, position) || !name.StartsWith(TestPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var key = package + "." + string.Join('.', Prefix(rule.Head.Reference, position));
                if (count.TryGetValue(key, out var seen))
                {
                    var newName = name + "#" + seen.ToString("00", System.Globalization.CultureInfo.InvariantCulture);
                    renamed[rule] = Rename(rule, position, newName);
                }

                count[key] = seen + 1;
            }

            result.Add(renamed.Count == 0 ? module : Rebuild(module, renamed));
        }

        return result;
    }

    /// <summary>The first name of the reference's ground prefix with a test prefix, and its position (-1: the head).</summary>
    private static (string Name, int Position)? FindTestName(Ref reference)
    {
        if (reference.Head is Var head && IsTestName(head.Name))
        {
            return (head.Name, -1);
        }

        for (var i = 0; i < reference.Path.Count; i++)
        {
            if (reference.Path[i] is not Scalar { Value: StringValue s })
            {
                break;
            }

            if (IsTestName(s.Value))
            {
                return (s.Value, i);
            }
        }

        return null;
    }

    private static IEnumerable<string> Prefix(Ref reference, int position)
    {
        yield return ((Var)reference.Head).Name;
        for (var i = 0; i <= position; i++)
        {
            yield return ((StringValue)((Scalar)reference.Path[i]).Value).Value;
        }
    }

    private static Rule Rename(Rule rule, int position, string newName)
    {
        var reference = rule.Head.Reference;
        Ref newReference;
        if (position < 0)
        {
            newReference = new Ref(new Var(newName, reference.Head.Location), reference.Path, reference.Location);
        }
        else
        {
            var path = reference.Path.ToList();
            path[position] = new Scalar(StringValue.From(newName), path[position].Location);
            newReference = new Ref(reference.Head, path, reference.Location);
        }

        var head = rule.Head;
        var newHead = new RuleHead(newReference, head.Args, head.Key, head.Value, head.Assign, head.IsMultiValue, head.Location);
        var newElse = rule.Else is null ? null : Rename(rule.Else, position, newName);
        return new Rule(newHead, rule.Body, newElse, rule.IsDefault, rule.Location);
    }

    private static Module Rebuild(Module module, Dictionary<Rule, Rule> renamed)
    {
        var rules = module.Rules.Select(r => renamed.GetValueOrDefault(r, r)).ToList();
        var annotations = module.Annotations
            .Select(a => a.Target is Rule target && renamed.TryGetValue(target, out var now) ? new Annotation(a.Scope, a.Value, now, a.Location) : a)
            .ToList();
        return new Module(module.File, module.Package, module.Imports, rules, module.RegoVersion, annotations);
    }
}
