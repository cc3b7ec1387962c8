using Vigil.Policy.Builtins;
using Vigil.Policy.Values;
using A = Vigil.Policy.Syntax.Ast;

namespace Vigil.Policy.Compilation;

internal sealed partial class Compiler
{
    /// <summary>Turns AST terms and bodies of one rule (or query) into IR, resolving names and allocating slots.</summary>
    private sealed class Lowering
    {
        private readonly Compiler _compiler;
        private readonly ModuleContext _module;
        private readonly Dictionary<int, string> _names = [];
        private Scope _scope;

        public Lowering(Compiler compiler, ModuleContext module, Scope scope)
        {
            _compiler = compiler;
            _module = module;
            _scope = scope;
        }

        public RuleNode? TreeRoot { get; init; }

        /// <summary>The rule being lowered (for <c>rego.metadata.*</c>), null for queries.</summary>
        public A.Rule? CurrentRule { get; init; }

        public RuleNode? CurrentNode { get; init; }

        /// <summary>Variables in the order they were first created (for query bindings).</summary>
        public List<(string Name, int Slot)> DeclaredOrder { get; } = [];

        public string NameOf(int slot) => _names.TryGetValue(slot, out var n) ? (n.StartsWith('$') ? "_" : n) : "_";

        private VarTerm Track(VarTerm v)
        {
            if (_names.TryAdd(v.Slot, v.Name))
            {
                DeclaredOrder.Add((v.Name, v.Slot));
            }

            return v;
        }

        public static T Final<T>(T term)
            where T : Term
        {
            term.IsVarFree = term switch
            {
                ConstTerm => true,
                VarTerm => false,
                RefTerm r => (r.Head is null || r.Head.IsVarFree) && AllFree(r.Operands),
                ArrayTerm a => AllFree(a.Items),
                SetTerm s => AllFree(s.Items),
                ObjectTerm o => AllFree(o.Keys) && AllFree(o.Values),
                CallTerm c => AllFree(c.Args) && c.Builtin?.Relation is null,
                ComprehensionTerm c => c.OuterSlots.Length == 0,
                TemplateTerm t => AllFree(t.Parts),
                _ => false,
            };
            return term;
        }

        private static bool AllFree(Term[] terms)
        {
            foreach (var t in terms)
            {
                if (!t.IsVarFree)
                {
                    return false;
                }
            }

            return true;
        }

        private bool IsPackageRule(string name) => _module.Module is not null && _module.RuleNames.Contains(name);

        private VarTerm? FindExisting(string name, SourceLocation location)
        {
            for (var s = _scope; s is not null; s = s.Parent)
            {
                if (s.TryGetOwn(name, out var v))
                {
                    if (!ReferenceEquals(s, _scope))
                    {
                        // Mark as free variable of the closures in between.
                        return _scope.Find(name, location);
                    }

                    return new VarTerm(v.Name, v.Slot) { Location = location };
                }
            }

            return null;
        }

        private VarTerm LocalVar(string name, SourceLocation location) =>
            Track(FindExisting(name, location) ?? _scope.Resolve(name, location));

        // ---------------------------------------------------------------- bodies

        public Expr[] LowerBody(A.Body body, Scope scope)
        {
            var saved = _scope;
            _scope = scope;
            try
            {
                var result = new List<Expr>(body.Count);
                foreach (var expr in body.Exprs)
                {
                    var lowered = LowerExpr(expr);
                    if (lowered is not null)
                    {
                        result.Add(lowered);
                    }
                }

                return [.. result];
            }
            finally
            {
                _scope = saved;
            }
        }

        private Expr? LowerExpr(A.Expr expr)
        {
            var withs = LowerWiths(expr);
            switch (expr.Terms)
            {
                case A.Call call when call.Name == "eq" && call.Args.Count == 2:
                    return new Expr
                    {
                        Kind = ExprKind.Unify,
                        Negated = expr.Negated,
                        A = LowerTerm(call.Args[0]),
                        B = LowerTerm(call.Args[1]),
                        Location = expr.Location,
                        Withs = withs,
                    };

                case A.Call call when call.Name == "assign" && call.Args.Count == 2:
                    {
                        var right = LowerTerm(call.Args[1]);
                        var left = LowerPattern(call.Args[0], declare: true);
                        return new Expr
                        {
                            Kind = ExprKind.Unify,
                            Negated = expr.Negated,
                            A = left,
                            B = right,
                            Location = expr.Location,
                            Withs = withs,
                        };
                    }

                case A.Call call:
                    return new Expr { Kind = ExprKind.Term, Negated = expr.Negated, A = LowerCall(call, statement: true), Location = expr.Location, Withs = withs };

                case A.Term term:
                    return new Expr { Kind = ExprKind.Term, Negated = expr.Negated, A = LowerTerm(term), Location = expr.Location, Withs = withs };

                case A.SomeDecl some when !some.IsIn:
                    foreach (var v in some.Vars)
                    {
                        Track(_scope.Declare(v.Name, v.Location));
                        _scope.MarkDeclared(v.Name);
                    }

                    return new Expr { Kind = ExprKind.NoOp, Location = expr.Location };

                case A.SomeDecl some:
                    {
                        var domain = LowerTerm(some.Domain!);
                        var key = some.Key is null ? null : LowerPattern(some.Key, declare: true);
                        var value = LowerPattern(some.Value!, declare: true);
                        return new Expr { Kind = ExprKind.SomeIn, Negated = expr.Negated, A = domain, Key = key, B = value, Location = expr.Location, Withs = withs };
                    }

                case A.Every every:
                    {
                        var domain = LowerTerm(every.Domain);
                        var names = new HashSet<string>(StringComparer.Ordinal);
                        CollectNames(every.Body, names);
                        var inner = new Scope(_scope, _scope.Frame, names);
                        var saved = _scope;
                        _scope = inner;
                        Term? key;
                        Term value;
                        Expr[] body;
                        try
                        {
                            key = every.Key is null ? null : LowerPattern(every.Key, declare: true);
                            value = LowerPattern(every.Value, declare: true);
                            body = LowerBody(every.Body, inner);
                        }
                        finally
                        {
                            _scope = saved;
                        }

                        var globals = new HashSet<int>();
                        if (key is not null)
                        {
                            VarCollector.Vars(key, globals, null);
                        }

                        VarCollector.Vars(value, globals, null);
                        var ordered = Safety.Reorder(_compiler, body, inner, globals, _module.Module is not null, out _);
                        return new Expr
                        {
                            Kind = ExprKind.Every,
                            Negated = expr.Negated,
                            A = domain,
                            Key = key,
                            B = value,
                            Body = ordered,
                            OuterSlots = [.. inner.OuterSlots],
                            Location = expr.Location,
                            Withs = withs,
                        };
                    }

                default:
                    _compiler.Error(PolicyErrorCodes.CompileError, "unsupported expression", expr.Location);
                    return null;
            }
        }

        /// <summary>Lowers an assignment target or iteration pattern; with <paramref name="declare"/> its variables are fresh.</summary>
        public Term LowerPattern(A.Term term, bool declare)
        {
            switch (term)
            {
                case A.Var v:
                    if (declare)
                    {
                        if (v.Name is "input" or "data")
                        {
                            _compiler.Error(PolicyErrorCodes.CompileError, $"cannot assign to {v.Name}", v.Location);
                        }

                        if (_scope.TryGetOwn(v.Name, out _) && !v.IsGenerated)
                        {
                            var message = _scope.IsDeclared(v.Name) ? $"var {v.Name} assigned above" : $"var {v.Name} referenced above";
                            _compiler.Error(PolicyErrorCodes.CompileError, message, v.Location);
                        }

                        var declared = Track(_scope.Declare(v.Name, v.Location));
                        _scope.MarkDeclared(v.Name);
                        return Final(declared);
                    }

                    return Final(LocalVar(v.Name, v.Location));
                case A.ArrayTerm a:
                    {
                        var items = new Term[a.Items.Count];
                        for (var i = 0; i < items.Length; i++)
                        {
                            items[i] = LowerPattern(a.Items[i], declare);
                        }

                        return Final(new ArrayTerm(items) { Location = a.Location });
                    }

                case A.ObjectTerm o:
                    {
                        var keys = new Term[o.Pairs.Count];
                        var values = new Term[o.Pairs.Count];
                        for (var i = 0; i < keys.Length; i++)
                        {
                            keys[i] = LowerTerm(o.Pairs[i].Key);
                            values[i] = LowerPattern(o.Pairs[i].Value, declare);
                        }

                        return Final(new ObjectTerm(keys, values) { Location = o.Location });
                    }

                case A.Ref when declare:
                    _compiler.Error(PolicyErrorCodes.CompileError, $"cannot assign to ref", term.Location);
                    return LowerTerm(term);
                default:
                    return LowerTerm(term);
            }
        }

        // ---------------------------------------------------------------- terms

        public Term LowerTerm(A.Term term)
        {
            switch (term)
            {
                case A.Scalar s:
                    return new ConstTerm(s.Value) { Location = s.Location };
                case A.Var v:
                    return LowerVarTerm(v, []);
                case A.Ref r:
                    return LowerRef(r);
                case A.ArrayTerm a:
                    return Final(new ArrayTerm(LowerTerms(a.Items)) { Location = a.Location });
                case A.SetTerm s:
                    return Final(new SetTerm(LowerTerms(s.Items)) { Location = s.Location });
                case A.ObjectTerm o:
                    {
                        var keys = new Term[o.Pairs.Count];
                        var values = new Term[o.Pairs.Count];
                        for (var i = 0; i < keys.Length; i++)
                        {
                            keys[i] = LowerTerm(o.Pairs[i].Key);
                            values[i] = LowerTerm(o.Pairs[i].Value);
                        }

                        return Final(new ObjectTerm(keys, values) { Location = o.Location });
                    }

                case A.ArrayComprehension c:
                    return LowerComprehension(ComprehensionKind.Array, c.Term, null, c.Body, c.Location);
                case A.SetComprehension c:
                    return LowerComprehension(ComprehensionKind.Set, c.Term, null, c.Body, c.Location);
                case A.ObjectComprehension c:
                    return LowerComprehension(ComprehensionKind.Object, c.Key, c.Value, c.Body, c.Location);
                case A.Call c:
                    return LowerCall(c);
                case A.TemplateString ts:
                    return LowerTemplate(ts);
                default:
                    _compiler.Error(PolicyErrorCodes.CompileError, "unsupported term", term.Location);
                    return new ConstTerm(NullValue.Instance);
            }
        }

        private Term[] LowerTerms(IReadOnlyList<A.Term> terms)
        {
            var result = new Term[terms.Count];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = LowerTerm(terms[i]);
            }

            return result;
        }

        private Term LowerTemplate(A.TemplateString ts)
        {
            var literals = new List<string>();
            var parts = new List<Term>();
            var pending = new System.Text.StringBuilder();
            foreach (var part in ts.Parts)
            {
                if (part is A.Scalar { Value: StringValue s })
                {
                    pending.Append(s.Value);
                    continue;
                }

                literals.Add(pending.ToString());
                pending.Clear();
                if (part is A.Expr { With.Count: > 0, Terms: A.Term withTerm } withExpr)
                {
                    var tmpName = "__tmpl" + parts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    var tmpVar = new A.Var(tmpName, withExpr.Location);
                    var eq = new A.Call(new A.Ref(new A.Var("eq", withExpr.Location), [], withExpr.Location), [tmpVar, withTerm], withExpr.Location);
                    var synthetic = new A.Body([new A.Expr(0, false, eq, withExpr.With, withExpr.Location)], withExpr.Location);
                    var comp = (ComprehensionTerm)LowerComprehension(ComprehensionKind.Array, tmpVar, null, synthetic, withExpr.Location);
                    comp.FirstOnly = true;
                    parts.Add(comp);
                    continue;
                }

                var inner = part switch
                {
                    A.Expr { Terms: A.Term t } => t,
                    A.Term t => t,
                    _ => null,
                };
                if (inner is null)
                {
                    _compiler.Error(PolicyErrorCodes.CompileError, "unsupported template expression", part.Location);
                    parts.Add(new ConstTerm(NullValue.Instance));
                }
                else
                {
                    parts.Add(LowerTerm(inner));
                }
            }

            literals.Add(pending.ToString());
            return Final(new TemplateTerm([.. literals], [.. parts]) { Location = ts.Location });
        }

        private Term LowerComprehension(ComprehensionKind kind, A.Term head, A.Term? valueHead, A.Body body, SourceLocation location)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            CollectNames(body, names);
            var inner = new Scope(_scope, _scope.Frame, names);
            var saved = _scope;
            _scope = inner;
            Expr[] exprs;
            Term headTerm;
            Term? valueTerm;
            try
            {
                exprs = LowerBody(body, inner);
                headTerm = LowerTerm(head);
                valueTerm = valueHead is null ? null : LowerTerm(valueHead);
            }
            finally
            {
                _scope = saved;
            }

            var ordered = Safety.Reorder(_compiler, exprs, inner, [], _module.Module is not null, out var safe);
            var headVars = new HashSet<int>();
            VarCollector.Vars(headTerm, headVars, headVars);
            if (valueTerm is not null)
            {
                VarCollector.Vars(valueTerm, headVars, headVars);
            }

            foreach (var slot in headVars)
            {
                if (inner.OwnSlots.Contains(slot) && !safe.Contains(slot))
                {
                    _compiler.Error(PolicyErrorCodes.UnsafeVarError, $"var {NameOf(slot)} is unsafe", location);
                }
            }

            var comp = new ComprehensionTerm(kind, headTerm, valueTerm, ordered) { Location = location, OuterSlots = [.. inner.OuterSlots] };
            return Final(comp);
        }

        private Term LowerVarTerm(A.Var v, Term[] operands)
        {
            var name = v.Name;
            if (name == "input")
            {
                return Final(new RefTerm(RefRoot.Input, null, operands) { Location = v.Location });
            }

            if (name == "data")
            {
                return Final(new RefTerm(RefRoot.Data, null, operands) { Location = v.Location });
            }

            var existing = FindExisting(name, v.Location);
            if (existing is not null)
            {
                Track(existing);
                return operands.Length == 0 ? Final(existing) : Final(new RefTerm(RefRoot.Term, Final(existing), operands) { Location = v.Location });
            }

            if (!v.IsGenerated && IsPackageRule(name))
            {
                var path = new List<Term>();
                foreach (var segment in _module.PackagePath)
                {
                    path.Add(new ConstTerm(StringValue.From(segment)));
                }

                path.Add(new ConstTerm(StringValue.From(name)));
                path.AddRange(operands);
                return Final(new RefTerm(RefRoot.Data, null, [.. path]) { Location = v.Location });
            }

            if (!v.IsGenerated && _module.Imports.TryGetValue(name, out var imported))
            {
                var root = ((A.Var)imported.Head).Name == "input" ? RefRoot.Input : RefRoot.Data;
                var path = new List<Term>();
                foreach (var t in imported.Path)
                {
                    path.Add(LowerTerm(t));
                }

                path.AddRange(operands);
                return Final(new RefTerm(root, null, [.. path]) { Location = v.Location });
            }

            var local = LocalVar(name, v.Location);
            return operands.Length == 0 ? Final(local) : Final(new RefTerm(RefRoot.Term, Final(local), operands) { Location = v.Location });
        }

        private Term LowerRef(A.Ref r)
        {
            var operands = new Term[r.Path.Count];
            for (var i = 0; i < operands.Length; i++)
            {
                operands[i] = LowerTerm(r.Path[i]);
            }

            if (r.Head is A.Var v)
            {
                return LowerVarTerm(v, operands);
            }

            var head = LowerTerm(r.Head);
            return Final(new RefTerm(RefRoot.Term, head, operands) { Location = r.Location });
        }

        // ---------------------------------------------------------------- calls

        /// <param name="call">The call.</param>
        /// <param name="statement">
        /// True for a call that is a whole expression: only it may take one extra argument, its output. OPA moves
        /// every nested call into an expression of its own with a generated output (rewriteExprTerms), and
        /// checkUndefinedFuncs then requires exactly arity + 1 operands of those, so <c>count(xs, 1) &gt; 0</c> is a
        /// type error (arity mismatch), not a call with an output.
        /// </param>
        private Term LowerCall(A.Call call, bool statement = false)
        {
            var args = LowerTerms(call.Args);
            var name = call.Name;
            if (name is null)
            {
                _compiler.Error(PolicyErrorCodes.TypeError, $"illegal call: {call.Operator}", call.Location);
                return new ConstTerm(NullValue.Instance);
            }

            if (name is "rego.metadata.rule" or "rego.metadata.chain" && args.Length == 0)
            {
                // Resolved at compile time from the annotations of the enclosing rule, as OPA rewrites these calls.
                var metadata = name == "rego.metadata.rule"
                    ? MetadataRule(_module.Module, CurrentRule)
                    : _compiler.MetadataChain(_module, CurrentRule, CurrentNode);
                return new ConstTerm(metadata) { Location = call.Location };
            }

            if (!ResolveFunction(name, out var kind, out var builtin, out var function, out var fullName))
            {
                // A call of a rule that is not a function (also `f()` of a rule written `f() := v`) names the rule's
                // path, as OPA's type checker does.
                var shown = IsPackageRule(name.Split('.')[0]) ? "data." + string.Join('.', _module.PackagePath) + "." + name : name;
                _compiler.Error(PolicyErrorCodes.TypeError, $"undefined function {shown}", call.Location);
                return new ConstTerm(NullValue.Instance) { Location = call.Location };
            }

            int arity;
            if (kind == CallKind.Print)
            {
                arity = args.Length;
            }
            else if (kind == CallKind.Builtin)
            {
                arity = builtin!.Arity;
            }
            else
            {
                arity = FunctionArity(function!);
            }

            if (args.Length != arity && (args.Length != arity + 1 || !statement))
            {
                _compiler.Error(
                    PolicyErrorCodes.TypeError,
                    args.Length < arity
                        ? $"{fullName}: arity mismatch\n\thave: ({args.Length} args)\n\twant: ({arity} args)"
                        : $"{fullName}: too many arguments\n\thave: ({args.Length} args)\n\twant: ({arity} args)",
                    call.Location);
            }

            if (builtin is not null && args.Length >= arity)
            {
                CheckArgumentTypes(fullName, builtin, args, call.Location);
            }

            return Final(new CallTerm(fullName, args, kind, builtin, function, arity) { Location = call.Location });
        }

        /// <summary>Reports operands whose type is known at compile time and not accepted by the builtin (rego_type_error).</summary>
        private void CheckArgumentTypes(string name, BuiltinDefinition builtin, Term[] args, SourceLocation location)
        {
            var parameters = builtin.Parameters;
            var bad = false;
            for (var i = 0; i < parameters.Count && i < args.Length; i++)
            {
                var want = parameters[i];
                if (want is ValueTypes.None or ValueTypes.Any)
                {
                    continue;
                }

                var have = StaticType(args[i]);
                if (have != ValueTypes.None && (have & want) == 0)
                {
                    bad = true;
                }
            }

            if (!bad)
            {
                return;
            }

            var haveText = string.Join(", ", args.Take(parameters.Count).Select(static a => TypeText(StaticType(a))));
            var wantText = string.Join(", ", parameters.Select(TypeText));
            _compiler.Error(PolicyErrorCodes.TypeError, $"{name}: invalid argument(s)\n\thave: ({haveText})\n\twant: ({wantText})", location);
        }

        private static ValueTypes StaticType(Term t) => t switch
        {
            ConstTerm c => c.Value.Kind switch
            {
                ValueKind.Null => ValueTypes.Null,
                ValueKind.Boolean => ValueTypes.Boolean,
                ValueKind.Number => ValueTypes.Number,
                ValueKind.String => ValueTypes.String,
                ValueKind.Array => ValueTypes.Array,
                ValueKind.Object => ValueTypes.Object,
                _ => ValueTypes.Set,
            },
            ArrayTerm => ValueTypes.Array,
            ObjectTerm => ValueTypes.Object,
            SetTerm => ValueTypes.Set,
            TemplateTerm => ValueTypes.String,
            ComprehensionTerm comp => comp.Kind switch
            {
                ComprehensionKind.Array => ValueTypes.Array,
                ComprehensionKind.Set => ValueTypes.Set,
                _ => ValueTypes.Object,
            },
            _ => ValueTypes.None,
        };

        private static string TypeText(ValueTypes types)
        {
            if (types == ValueTypes.None)
            {
                return "any";
            }

            if (types == ValueTypes.Any)
            {
                return "any";
            }

            var names = new List<string>();
            foreach (var (flag, text) in TypeNames)
            {
                if ((types & flag) != 0)
                {
                    names.Add(text);
                }
            }

            return names.Count == 1 ? names[0] : "any<" + string.Join(", ", names) + ">";
        }

        private static readonly (ValueTypes Flag, string Name)[] TypeNames =
        [
            (ValueTypes.Null, "null"), (ValueTypes.Boolean, "boolean"), (ValueTypes.Number, "number"), (ValueTypes.String, "string"),
            (ValueTypes.Array, "array"), (ValueTypes.Object, "object"), (ValueTypes.Set, "set"),
        ];

        private static int FunctionArity(RuleNode node)
        {
            // Arity is recorded on the placeholder or lowered rules; fall back to the AST count captured at registration.
            return node.Arity;
        }

        /// <summary>Resolves a called name to a user function or builtin.</summary>
        public bool ResolveFunction(string name, out CallKind kind, out BuiltinDefinition? builtin, out RuleNode? function, out string fullName)
        {
            builtin = null;
            function = null;
            kind = CallKind.Builtin;
            fullName = name;
            var segments = name.Split('.');

            // Local variables cannot be called.
            if (segments[0] == "data")
            {
                function = _compiler.FindNode(segments.Skip(1), TreeRoot);
                if (function is { IsFunction: true })
                {
                    kind = CallKind.Function;
                    fullName = function.FullName;
                    return true;
                }

                function = null;
                return false;
            }

            if (_module.Module is not null && IsPackageRule(segments[0]))
            {
                var node = _compiler.FindNode(_module.PackagePath.Concat(segments), TreeRoot);
                if (node is { IsFunction: true })
                {
                    function = node;
                    kind = CallKind.Function;
                    fullName = node.FullName;
                    return true;
                }
            }

            if (_module.Imports.TryGetValue(segments[0], out var imported) && ((A.Var)imported.Head).Name == "data")
            {
                var path = new List<string>();
                foreach (var t in imported.Path)
                {
                    if (t is A.Scalar { Value: StringValue s })
                    {
                        path.Add(s.Value);
                    }
                }

                path.AddRange(segments.Skip(1));
                var node = _compiler.FindNode(path, TreeRoot);
                if (node is { IsFunction: true })
                {
                    function = node;
                    kind = CallKind.Function;
                    fullName = node.FullName;
                    return true;
                }
            }

            if (name == "print" || name == "internal.print")
            {
                kind = CallKind.Print;
                return true;
            }

            if (_compiler._builtins.TryGet(name, out var def))
            {
                builtin = def;
                return true;
            }

            if (NativeBuiltins.TryGet(name, out def))
            {
                builtin = def;
                return true;
            }

            return false;
        }

        // ---------------------------------------------------------------- with

        private With[] LowerWiths(A.Expr expr)
        {
            if (expr.With.Count == 0)
            {
                return [];
            }

            var result = new List<With>(expr.With.Count);
            foreach (var w in expr.With)
            {
                var lowered = LowerWith(w);
                if (lowered is not null)
                {
                    result.Add(lowered);
                }
            }

            return [.. result];
        }

        private With? LowerWith(A.With w)
        {
            var target = w.Target;
            var headName = target.Head is A.Var hv ? hv.Name : null;
            var path = new List<string>();
            var allStrings = true;
            foreach (var t in target.Path)
            {
                if (t is A.Scalar { Value: StringValue s })
                {
                    path.Add(s.Value);
                }
                else
                {
                    allStrings = false;
                }
            }

            if (!allStrings || headName is null)
            {
                _compiler.Error(PolicyErrorCodes.TypeError, $"with keyword target must reference existing input, data, or a function", w.Location);
                return null;
            }

            if (headName == "input")
            {
                return new With { Kind = WithTargetKind.Input, Path = [.. path], Value = LowerTerm(w.Value) };
            }

            if (headName == "data")
            {
                var node = _compiler.FindNode(path, TreeRoot);
                if (node is { IsFunction: true })
                {
                    return LowerFunctionWith(node.FullName, node.Arity, w);
                }

                return new With { Kind = WithTargetKind.Data, Path = [.. path], Value = LowerTerm(w.Value) };
            }

            var dotted = target.DottedName!;
            if (ResolveFunction(dotted, out var kind, out var builtin, out var function, out var fullName) && kind != CallKind.Print)
            {
                return LowerFunctionWith(fullName, builtin?.Arity ?? function?.Arity ?? 0, w);
            }

            if (IsPackageRule(headName))
            {
                // A rule of the package: same as data.<package>.<path>.
                var full = new List<string>(_module.PackagePath) { headName };
                full.AddRange(path);
                return new With { Kind = WithTargetKind.Data, Path = [.. full], Value = LowerTerm(w.Value) };
            }

            _compiler.Error(PolicyErrorCodes.TypeError, $"with keyword target must reference existing input, data, or a function", w.Location);
            return null;
        }

        private With LowerFunctionWith(string targetName, int arity, A.With w)
        {
            // The replacement may be another function (builtin or user function) or a value.
            string? valueName = w.Value switch
            {
                A.Var v when FindExisting(v.Name, v.Location) is null => v.Name,
                A.Ref r when r.Head is A.Var rv && FindExisting(rv.Name, rv.Location) is null => r.DottedName,
                _ => null,
            };
            if (valueName is not null && ResolveFunction(valueName, out var kind, out var builtin, out var function, out var fullName) && kind != CallKind.Print)
            {
                var replacementArity = builtin?.Arity ?? function?.Arity ?? arity;
                if (kind == CallKind.Builtin)
                {
                    return new With { Kind = WithTargetKind.Function, FunctionName = targetName, ReplacementBuiltin = builtin, Value = new ConstTerm(BooleanValue.TrueValue) };
                }

                var replacement = new CallTerm(fullName, [], kind, builtin, function, replacementArity) { Location = w.Location };
                return new With { Kind = WithTargetKind.Function, FunctionName = targetName, Replacement = replacement, Value = new ConstTerm(BooleanValue.TrueValue) };
            }

            return new With { Kind = WithTargetKind.Function, FunctionName = targetName, Value = LowerTerm(w.Value) };
        }
    }
}
