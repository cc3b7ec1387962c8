using Vigil.Policy.Builtins;
using Vigil.Policy.Values;
using A = Vigil.Policy.Syntax.Ast;

namespace Vigil.Policy.Compilation;

/// <summary>
/// Compiles parsed modules and base data into a <see cref="PolicyProgram"/>: builds the rule tree,
/// resolves names (locals, rules of the package, imports, builtins), allocates frame slots, reorders
/// bodies for safety and checks recursion. Collects every error before failing.
/// </summary>
internal sealed partial class Compiler
{
    private readonly BuiltinTable _builtins;
    private readonly List<PolicyError> _errors = [];
    private readonly RuleNode _root = new("", null);
    private readonly Dictionary<string, HashSet<string>> _packageRuleNames = new(StringComparer.Ordinal);
    private readonly List<(ModuleContext Module, A.Rule Rule, RuleNode Node, Term[] Keys, RuleKind Kind)> _pending = [];

    private Compiler(BuiltinTable builtins)
    {
        _builtins = builtins;
    }

    public IReadOnlyList<PolicyError> Errors => _errors;

    /// <summary>Compiles modules and data; throws <see cref="PolicyCompileException"/> with every error found.</summary>
    public static PolicyProgram Compile(IReadOnlyList<A.Module> modules, ObjectValue data, BuiltinTable builtins)
    {
        var compiler = new Compiler(builtins);
        var program = compiler.Run(modules, data);
        if (compiler._errors.Count > 0)
        {
            throw new PolicyCompileException(compiler.SortedErrors());
        }

        return program;
    }

    /// <summary>Compiles a query against a compiled program.</summary>
    public static CompiledQuery CompileQuery(A.Body body, PolicyProgram program)
    {
        var compiler = new Compiler(program.Builtins);
        var query = compiler.LowerQuery(body, program.Root);
        if (compiler._errors.Count > 0)
        {
            throw new PolicyCompileException(compiler.SortedErrors());
        }

        return query;
    }

    private List<PolicyError> SortedErrors()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<PolicyError>();
        foreach (var e in _errors)
        {
            if (seen.Add(e.ToString()))
            {
                result.Add(e);
            }
        }

        return result;
    }

    internal void Error(string code, string message, SourceLocation location) =>
        _errors.Add(new PolicyError(code, message, string.IsNullOrEmpty(location.File) ? null : location));

    // ---------------------------------------------------------------- modules

    private sealed class ModuleContext
    {
        public required A.Module Module { get; init; }

        public required string[] PackagePath { get; init; }

        public required Dictionary<string, A.Ref> Imports { get; init; }

        public HashSet<string> RuleNames { get; set; } = [];
    }

    private IReadOnlyList<A.Module> _modules = [];

    private PolicyProgram Run(IReadOnlyList<A.Module> modules, ObjectValue data)
    {
        _modules = modules;
        var contexts = new List<ModuleContext>();
        foreach (var module in modules)
        {
            var packagePath = new List<string>();
            foreach (var t in module.Package.Path.Path)
            {
                if (t is A.Scalar { Value: StringValue s })
                {
                    packagePath.Add(s.Value);
                }
                else
                {
                    Error(PolicyErrorCodes.ParseError, "package path must contain only strings", module.Package.Location);
                }
            }

            var imports = new Dictionary<string, A.Ref>(StringComparer.Ordinal);
            foreach (var import in module.Imports)
            {
                if (import.IsKeywordImport)
                {
                    continue;
                }

                var head = ((A.Var)import.Path.Head).Name;
                if (head is not ("data" or "input"))
                {
                    Error(PolicyErrorCodes.CompileError, $"invalid import {import.Path}: path must begin with input or data", import.Location);
                    continue;
                }

                if (!imports.TryAdd(import.BoundName, import.Path))
                {
                    Error(PolicyErrorCodes.CompileError, $"import must not shadow {import.Path}", import.Location);
                }
            }

            var context = new ModuleContext { Module = module, PackagePath = [.. packagePath], Imports = imports };
            contexts.Add(context);
            var key = string.Join('.', packagePath);
            if (!_packageRuleNames.TryGetValue(key, out var names))
            {
                names = new HashSet<string>(StringComparer.Ordinal);
                _packageRuleNames[key] = names;
            }

            context.RuleNames = names;
            var packageNode = _root;
            foreach (var segment in packagePath)
            {
                packageNode = packageNode.GetOrAddChild(segment);
            }

            foreach (var rule in module.Rules)
            {
                names.Add(rule.Head.Name);
            }
        }

        foreach (var context in contexts)
        {
            foreach (var rule in context.Module.Rules)
            {
                RegisterRule(context, rule);
            }
        }

        // Lower bodies now that every rule node exists (calls and refs resolve against the tree).
        foreach (var (context, rule, node, _, kind) in _pending)
        {
            var compiled = LowerRule(context, rule, node, kind);
            if (compiled is null)
            {
                continue;
            }

            if (rule.IsDefault)
            {
                node.Default = compiled;
            }
            else
            {
                node.Rules.Add(compiled);
            }
        }

        var nodes = new List<RuleNode>();
        Finish(_root, nodes);
        CheckRecursion(nodes);
        foreach (var node in nodes)
        {
            RuleIndex.TryBuild(node);
        }

        return new PolicyProgram(_root, data, _builtins, [.. nodes]);
    }

    private static bool Finish(RuleNode node, List<RuleNode> nodes)
    {
        node.Id = nodes.Count;
        node.RuleArray = [.. node.Rules];
        nodes.Add(node);
        var below = node.HasRules;
        foreach (var child in node.Children.Values)
        {
            below |= Finish(child, nodes);
        }

        node.HasRulesBelow = below;
        return below;
    }

    private void RegisterRule(ModuleContext context, A.Rule rule)
    {
        var head = rule.Head;
        var segments = new List<string>(context.PackagePath) { head.Name };
        var refPath = head.Reference.Path;
        var firstDynamic = refPath.Count;
        for (var i = 0; i < refPath.Count; i++)
        {
            if (refPath[i] is A.Scalar { Value: StringValue s })
            {
                segments.Add(s.Value);
            }
            else
            {
                firstDynamic = i;
                break;
            }
        }

        RuleKind kind;
        switch (head.Kind)
        {
            case A.RuleKind.Function:
                kind = RuleKind.Function;
                if (firstDynamic != refPath.Count)
                {
                    Error(PolicyErrorCodes.ParseError, "function names must be plain references", head.Location);
                    return;
                }

                break;
            case A.RuleKind.PartialSet:
                kind = RuleKind.PartialSet;
                break;
            case A.RuleKind.MultiValueRef:
                kind = firstDynamic == refPath.Count ? RuleKind.PartialSet : RuleKind.PartialObject;
                break;
            case A.RuleKind.PartialObject:
                kind = RuleKind.PartialObject;
                break;
            default:
                kind = RuleKind.Complete;
                break;
        }

        var node = _root;
        foreach (var segment in segments)
        {
            node = node.GetOrAddChild(segment);
        }

        var ruleKind = head.Kind == A.RuleKind.MultiValueRef && kind == RuleKind.PartialObject ? RuleKind.PartialSet : kind;
        if (rule.IsDefault)
        {
            if (node.Default is not null || _pending.Exists(p => p.Node == node && p.Rule.IsDefault))
            {
                Error(PolicyErrorCodes.TypeError, $"multiple default rules {node.FullName} found", rule.Location);
                return;
            }
        }

        if (node.HasRules || _pending.Exists(p => p.Node == node))
        {
            if (node.Kind != kind && !(rule.IsDefault && kind == RuleKind.Complete && node.Kind == RuleKind.Complete))
            {
                Error(PolicyErrorCodes.TypeError, $"conflicting rules {node.FullName} found", rule.Location);
                return;
            }
        }

        node.Kind = kind;
        node.Arity = head.Args?.Count ?? 0;
        if (rule.IsDefault)
        {
            // Placeholder so that HasRules is true during lowering; replaced once lowered.
            node.Default ??= new Rule { Kind = ruleKind, Node = node };
        }
        else
        {
            node.Rules.Add(new Rule { Kind = ruleKind, Node = node });
        }

        _pending.Add((context, rule, node, [], ruleKind));
    }

    // ---------------------------------------------------------------- rules

    private Rule? LowerRule(ModuleContext context, A.Rule rule, RuleNode node, RuleKind kind)
    {
        // Drop the placeholder registered in RegisterRule.
        if (rule.IsDefault)
        {
            if (node.Default is { Body.Length: 0, Value: null })
            {
                node.Default = null;
            }
        }
        else
        {
            var index = node.Rules.FindIndex(r => r.Value is null);
            if (index >= 0)
            {
                node.Rules.RemoveAt(index);
            }
        }

        var first = LowerRuleDefinition(context, rule, node, kind, rule);
        var current = first;
        for (var e = rule.Else; e is not null && current is not null; e = e.Else)
        {
            var next = LowerRuleDefinition(context, e, node, kind, rule);
            current.Else = next;
            current = next;
        }

        return first;
    }

    private Rule? LowerRuleDefinition(ModuleContext context, A.Rule rule, RuleNode node, RuleKind kind, A.Rule annotated)
    {
        var head = rule.Head;
        var frame = new FrameAllocator();
        var names = new HashSet<string>(StringComparer.Ordinal);
        CollectNames(rule.Body, names);
        if (head.Args is not null)
        {
            foreach (var a in head.Args)
            {
                CollectTermNames(a, names);
            }
        }

        var scope = new Scope(null, frame, names);
        var lowering = new Lowering(this, context, scope) { CurrentRule = annotated, CurrentNode = node };

        var args = new Term[head.Args?.Count ?? 0];
        var globals = new HashSet<int>();
        var argExprs = new List<Expr>();
        for (var i = 0; i < args.Length; i++)
        {
            args[i] = lowering.LowerPattern(head.Args![i], declare: false);
            if (args[i] is RefTerm or CallTerm or TemplateTerm or ComprehensionTerm or SetTerm && !args[i].IsVarFree)
            {
                // Not a pattern: bind the argument to a fresh variable and compare in the body, as OPA rewrites it.
                var tmp = scope.Declare("__arg" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), args[i].Location);
                argExprs.Add(new Expr { Kind = ExprKind.Unify, A = new VarTerm(tmp.Name, tmp.Slot) { Location = tmp.Location }, B = args[i], Location = args[i].Location });
                args[i] = tmp;
            }

            VarCollector.Vars(args[i], globals, null);
        }

        var body = lowering.LowerBody(rule.Body, scope);
        if (argExprs.Count > 0)
        {
            body = [.. argExprs, .. body];
        }

        // Head terms: dynamic ref keys and the value.
        var keys = new List<Term>();
        var refPath = head.Reference.Path;
        var dynamic = false;
        for (var i = 0; i < refPath.Count; i++)
        {
            if (!dynamic && refPath[i] is A.Scalar { Value: StringValue })
            {
                continue;
            }

            dynamic = true;
            keys.Add(lowering.LowerTerm(refPath[i]));
        }

        Term value;
        if (kind == RuleKind.PartialSet)
        {
            value = head.Key is not null ? lowering.LowerTerm(head.Key) : Lowering.Final(new ConstTerm(BooleanValue.TrueValue));
        }
        else if (head.Value is not null)
        {
            value = lowering.LowerTerm(head.Value);
        }
        else
        {
            value = Lowering.Final(new ConstTerm(BooleanValue.TrueValue));
        }

        // Head terms that need evaluation (refs, calls, comprehensions) are evaluated in the body, as OPA rewrites them.
        var bodyList = new List<Expr>(body);
        Term Hoist(Term t)
        {
            if (t is VarTerm or ConstTerm || t.IsVarFree)
            {
                return t;
            }

            var tmp = scope.Declare("__head" + bodyList.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), t.Location);
            bodyList.Add(new Expr { Kind = ExprKind.Unify, A = tmp, B = t, Location = t.Location });
            return new VarTerm(tmp.Name, tmp.Slot) { Location = t.Location };
        }

        for (var i = 0; i < keys.Count; i++)
        {
            keys[i] = Hoist(keys[i]);
        }

        value = Hoist(value);
        body = [.. bodyList];
        var ordered = Safety.Reorder(this, body, scope, globals, equalIsUnify: true, out var safe);

        // Head variables must be bound by the body.
        var headVars = new HashSet<int>();
        foreach (var k in keys)
        {
            VarCollector.Vars(k, headVars, headVars);
        }

        VarCollector.Vars(value, headVars, headVars);
        foreach (var slot in headVars)
        {
            if (!safe.Contains(slot) && !globals.Contains(slot))
            {
                var name = lowering.NameOf(slot);
                Error(PolicyErrorCodes.UnsafeVarError, $"var {name} is unsafe", head.Location);
            }
        }

        return new Rule
        {
            Kind = kind,
            Node = node,
            Keys = [.. keys],
            Value = value,
            Args = args,
            Body = ordered,
            SimpleBody = args.Length == 0 && Array.TrueForAll(ordered, IsSimpleTest),
            IsDefault = rule.IsDefault,
            FrameSize = Math.Max(1, frame.Count),
            NeedsFrame = frame.Count > 0,
            Location = rule.Location,
            Module = context.Module.File,
        };
    }

    /// <summary>Sets <see cref="Term.IsVarFree"/> on a term built after lowering.</summary>
    internal static T FinishTerm<T>(T term)
        where T : Term => Lowering.Final(term);

    /// <summary>A condition with no variables and no output operand: it can be checked without backtracking.</summary>
    private static bool IsSimpleTest(Expr e) =>
        e.Kind == ExprKind.Term && e.Withs.Length == 0 && e.A!.IsVarFree && (e.A is not CallTerm c || c.Args.Length == c.Arity);

    private CompiledQuery LowerQuery(A.Body body, RuleNode root)
    {
        var frame = new FrameAllocator();
        var names = new HashSet<string>(StringComparer.Ordinal);
        CollectNames(body, names);
        var scope = new Scope(null, frame, names);
        var context = new ModuleContext { Module = null!, PackagePath = [], Imports = new(StringComparer.Ordinal) };
        var lowering = new Lowering(this, context, scope) { TreeRoot = root };
        var exprs = lowering.LowerBody(body, scope);
        var iteration = frame.Count > 0;

        // A term expression with `with` keeps its value, as OPA captures it: `__capture = term with ...`.
        var captures = new Dictionary<Expr, VarTerm>();
        for (var i = 0; i < exprs.Length; i++)
        {
            var e = exprs[i];
            if (e.Kind == ExprKind.Term && !e.Negated && e.Withs.Length > 0 && !(e.A is CallTerm c && c.Args.Length != c.Arity))
            {
                var capture = scope.Declare("__capture" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Location);
                var rewritten = new Expr { Kind = ExprKind.Unify, A = capture, B = e.A, Withs = e.Withs, Location = e.Location };
                exprs[i] = rewritten;
                captures[rewritten] = capture;
            }
        }

        var ordered = Safety.Reorder(this, exprs, scope, [], equalIsUnify: false, out _);
        var variables = new List<(string, int)>();
        var seen = new HashSet<int>();
        foreach (var (name, slot) in lowering.DeclaredOrder)
        {
            if (name.Length == 0 || name[0] == '$' || name.StartsWith("__", StringComparison.Ordinal))
            {
                continue;
            }

            if (scope.OwnSlots.Contains(slot) && seen.Add(slot))
            {
                variables.Add((name, slot));
            }
        }

        var terms = new Term?[ordered.Length];
        for (var i = 0; i < ordered.Length; i++)
        {
            var e = ordered[i];
            if (e.Kind == ExprKind.Term && !e.Negated)
            {
                terms[i] = e.A is CallTerm c && c.Args.Length != c.Arity ? null : e.A;
            }
        }

        var captureSlots = new int[ordered.Length];
        for (var i = 0; i < ordered.Length; i++)
        {
            captureSlots[i] = captures.TryGetValue(ordered[i], out var v) ? v.Slot : -1;
        }

        return new CompiledQuery
        {
            Body = ordered,
            FrameSize = Math.Max(1, frame.Count),
            SlotCount = frame.Count,
            Variables = [.. variables],
            ExpressionTerms = terms,
            OriginalIndex = [.. ordered.Select(e => Array.IndexOf(exprs, e))],
            CaptureSlots = captureSlots,
            CheckCaptures = exprs.Length > 1 || iteration,
        };
    }

    // ---------------------------------------------------------------- names

    /// <summary>Collects variable names used in a body outside nested closures.</summary>
    private static void CollectNames(A.Body body, HashSet<string> names)
    {
        foreach (var expr in body.Exprs)
        {
            switch (expr.Terms)
            {
                case A.Call { Name: "assign" } assign when assign.Args.Count == 2:
                    // Variables declared by := are not captured by closures that come before the declaration.
                    CollectTermNames(assign.Args[1], names);
                    break;
                case A.Term t:
                    CollectTermNames(t, names);
                    break;
                case A.SomeDecl some:
                    if (some.IsIn)
                    {
                        CollectTermNames(some.Domain!, names);
                    }

                    break;
                case A.Every every:
                    CollectTermNames(every.Domain, names);
                    break;
            }

            foreach (var w in expr.With)
            {
                CollectTermNames(w.Value, names);
            }
        }
    }

    private static void CollectTermNames(A.Term term, HashSet<string> names)
    {
        switch (term)
        {
            case A.Var v:
                names.Add(v.Name);
                break;
            case A.Ref r:
                CollectTermNames(r.Head, names);
                foreach (var t in r.Path)
                {
                    CollectTermNames(t, names);
                }

                break;
            case A.ArrayTerm a:
                foreach (var t in a.Items)
                {
                    CollectTermNames(t, names);
                }

                break;
            case A.SetTerm s:
                foreach (var t in s.Items)
                {
                    CollectTermNames(t, names);
                }

                break;
            case A.ObjectTerm o:
                foreach (var (k, v) in o.Pairs)
                {
                    CollectTermNames(k, names);
                    CollectTermNames(v, names);
                }

                break;
            case A.Call c:
                foreach (var t in c.Args)
                {
                    CollectTermNames(t, names);
                }

                break;
            case A.TemplateString ts:
                foreach (var p in ts.Parts)
                {
                    if (p is A.Expr { Terms: A.Term pt })
                    {
                        CollectTermNames(pt, names);
                    }
                    else if (p is A.Term t)
                    {
                        CollectTermNames(t, names);
                    }
                }

                break;
        }
    }

    /// <summary>Finds the node at a path (segments below data), or null.</summary>
    private RuleNode? FindNode(IEnumerable<string> path, RuleNode? root = null)
    {
        var node = root ?? _root;
        foreach (var segment in path)
        {
            if (!node.Children.TryGetValue(segment, out var child))
            {
                return null;
            }

            node = child;
        }

        return node;
    }
}
