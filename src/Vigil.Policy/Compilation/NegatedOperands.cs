namespace Vigil.Policy.Compilation;

/// <summary>
/// Moves the operands OPA evaluates eagerly out of a negated expression, so that an undefined operand makes the
/// body fail instead of making <c>not</c> succeed. OPA does this for every expression, in two compiler stages; only
/// negated expressions change meaning (elsewhere an undefined operand fails the expression either way), so Vigil
/// rewrites only those and the evaluator keeps its inline evaluation of operands everywhere else.
/// <list type="bullet">
/// <item>Before the safety reorder (OPA <c>rewriteExprTerms</c>/<c>expandExpr</c>): calls nested in the operands
/// (<c>not count(input.x) &gt; 0</c> becomes <c>__1 = count(input.x); not __1 &gt; 0</c>), calls heading a ref
/// (<c>not h(1).foo</c>). These are ordinary expressions for the reorder, so refs in
/// their arguments may still iterate, as in OPA.</item>
/// <item>After the reorder (OPA <c>rewriteDynamics</c>): refs and comprehensions that are arguments of a call
/// expression (<c>not g(input.x)</c>, <c>not x in input.x</c>, <c>not a != input.x</c>), refs and comprehensions
/// inside the operands of a ref (<c>not obj[input.x]</c>) and inside array/object/set literals. A ref that is itself
/// the expression or a side of <c>=</c> stays: <c>not input.x</c> and <c>not input.x == 1</c> are true when
/// <c>input.x</c> is undefined (in modules OPA's <c>rewriteEquals</c> turns <c>==</c> into <c>=</c> first; queries
/// keep <c>==</c> a call).</item>
/// </list>
/// Generated expressions carry the negated expression's <c>with</c> modifiers, as OPA's do.
/// </summary>
internal static class NegatedOperands
{
    /// <summary>The first stage: returns <paramref name="body"/> itself when no expression is negated.</summary>
    public static Expr[] ExpandCalls(Expr[] body, Scope scope) => RewriteNegated(body, scope, static (hoister, e) => e.Kind switch
    {
        ExprKind.Term when e.A is CallTerm call => Rebuild(e, hoister.ExpandArgs(call), e.B),
        ExprKind.Term => Rebuild(e, hoister.Expand(e.A!), e.B),
        ExprKind.Unify => Rebuild(e, hoister.Expand(e.A!), hoister.Expand(e.B!)),
        _ => e,
    });

    /// <summary>The second stage, on the reordered body; <paramref name="equalIsUnify"/> for module bodies (OPA's rewriteEquals).</summary>
    public static Expr[] HoistDynamics(Expr[] ordered, Scope scope, bool equalIsUnify) => RewriteNegated(ordered, scope, (hoister, e) => e switch
    {
        { Kind: ExprKind.Term, A: CallTerm { Name: "equal", Args.Length: 2 } eq } when equalIsUnify =>
            Rebuild(e, WithArgs(eq, [hoister.InTerm(eq.Args[0]), hoister.InTerm(eq.Args[1])]), e.B),
        { Kind: ExprKind.Term, A: CallTerm call } => Rebuild(e, WithArgs(call, Array.ConvertAll(call.Args, hoister.One)), e.B),
        { Kind: ExprKind.Term } => Rebuild(e, hoister.InTerm(e.A!), e.B),
        { Kind: ExprKind.Unify } => Rebuild(e, hoister.InTerm(e.A!), hoister.InTerm(e.B!)),
        _ => e,
    });

    /// <summary>
    /// Rewrites each negated expression of a body; what <paramref name="rewrite"/> hoists through its
    /// <see cref="Hoister"/> lands in front of the rewritten expression. Returns the body itself when nothing is negated.
    /// </summary>
    private static Expr[] RewriteNegated(Expr[] body, Scope scope, Func<Hoister, Expr, Expr> rewrite)
    {
        if (!Array.Exists(body, static e => e.Negated))
        {
            return body;
        }

        var result = new List<Expr>(body.Length + 2);
        foreach (var e in body)
        {
            // The argument runs first: the hoisted expressions are added before the rewritten one.
            result.Add(e.Negated ? rewrite(new Hoister(scope, e, result), e) : e);
        }

        return [.. result];
    }

    private static Expr Rebuild(Expr e, Term a, Term? b) =>
        ReferenceEquals(a, e.A) && ReferenceEquals(b, e.B)
            ? e
            : new Expr
            {
                Kind = e.Kind,
                Negated = e.Negated,
                Location = e.Location,
                A = a,
                B = b,
                Key = e.Key,
                Body = e.Body,
                OuterSlots = e.OuterSlots,
                Withs = e.Withs,
            };

    private static CallTerm WithArgs(CallTerm call, Term[] args)
    {
        var same = true;
        for (var i = 0; i < args.Length && same; i++)
        {
            same = ReferenceEquals(args[i], call.Args[i]);
        }

        return same ? call : Compiler.FinishTerm(new CallTerm(call.Name, args, call.Kind, call.Builtin, call.Function, call.Arity) { Location = call.Location });
    }

    /// <summary>Replaces operands of one negated expression by fresh variables bound in expressions placed before it.</summary>
    private sealed class Hoister(Scope scope, Expr negated, List<Expr> output)
    {
        /// <summary>Binds <paramref name="term"/> to a fresh variable in a new expression and returns the variable.</summary>
        public VarTerm Hoist(Term term)
        {
            var declared = scope.Declare("__not" + scope.Frame.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + "__", term.Location);
            output.Add(new Expr { Kind = ExprKind.Unify, A = declared, B = term, Location = term.Location, Withs = negated.Withs });
            return Compiler.FinishTerm(new VarTerm(declared.Name, declared.Slot) { Location = term.Location });
        }

        // ------------------------------------------------ first stage (OPA expandExprTerm)

        public CallTerm ExpandArgs(CallTerm call)
        {
            var args = new Term[call.Args.Length];
            for (var i = 0; i < args.Length; i++)
            {
                args[i] = Expand(call.Args[i]);
            }

            return WithArgs(call, args);
        }

        public Term Expand(Term term)
        {
            switch (term)
            {
                case CallTerm call:
                    return Hoist(ExpandArgs(call));
                case RefTerm r:
                    {
                        var head = r.Head;
                        if (head is CallTerm or ArrayTerm or ObjectTerm or SetTerm or ComprehensionTerm)
                        {
                            // OPA expandExprRef: the subject of a ref that is not a variable is evaluated first.
                            head = Hoist(Expand(head));
                        }

                        var operands = ExpandAll(r.Operands);
                        return ReferenceEquals(head, r.Head) && ReferenceEquals(operands, r.Operands)
                            ? r
                            : Compiler.FinishTerm(new RefTerm(r.Root, head, operands) { Location = r.Location });
                    }

                case ArrayTerm a:
                    {
                        var items = ExpandAll(a.Items);
                        return ReferenceEquals(items, a.Items) ? a : Compiler.FinishTerm(new ArrayTerm(items) { Location = a.Location });
                    }

                case SetTerm s:
                    {
                        var items = ExpandAll(s.Items);
                        return ReferenceEquals(items, s.Items) ? s : Compiler.FinishTerm(new SetTerm(items) { Location = s.Location });
                    }

                case ObjectTerm o:
                    {
                        var keys = ExpandAll(o.Keys);
                        var values = ExpandAll(o.Values);
                        return ReferenceEquals(keys, o.Keys) && ReferenceEquals(values, o.Values)
                            ? o
                            : Compiler.FinishTerm(new ObjectTerm(keys, values) { Location = o.Location });
                    }

                default:
                    return term;
            }
        }

        private Term[] ExpandAll(Term[] terms) => Map(terms, Expand);

        // ------------------------------------------------ second stage (OPA rewriteDynamicsInTerm / rewriteDynamicsOne)

        /// <summary>A side of <c>=</c> or a term expression: a ref stays, its dynamic operands move out.</summary>
        public Term InTerm(Term term) => term switch
        {
            RefTerm r => WithOperands(r, Map(r.Operands, One)),
            ComprehensionTerm => term,
            _ => One(term),
        };

        /// <summary>An operand evaluated before the expression: refs and comprehensions move out, literals are searched.</summary>
        public Term One(Term term)
        {
            switch (term)
            {
                case RefTerm r:
                    return Hoist(WithOperands(r, Map(r.Operands, One)));
                case ComprehensionTerm:
                    return Hoist(term);
                case ArrayTerm a:
                    {
                        var items = Map(a.Items, One);
                        return ReferenceEquals(items, a.Items) ? a : Compiler.FinishTerm(new ArrayTerm(items) { Location = a.Location });
                    }

                case SetTerm s:
                    {
                        var items = Map(s.Items, One);
                        return ReferenceEquals(items, s.Items) ? s : Compiler.FinishTerm(new SetTerm(items) { Location = s.Location });
                    }

                case ObjectTerm o:
                    {
                        // OPA walks each key then its value.
                        var keys = new Term[o.Keys.Length];
                        var values = new Term[o.Values.Length];
                        var same = true;
                        for (var i = 0; i < keys.Length; i++)
                        {
                            keys[i] = One(o.Keys[i]);
                            values[i] = One(o.Values[i]);
                            same &= ReferenceEquals(keys[i], o.Keys[i]) && ReferenceEquals(values[i], o.Values[i]);
                        }

                        return same ? o : Compiler.FinishTerm(new ObjectTerm(keys, values) { Location = o.Location });
                    }

                default:
                    return term;
            }
        }

        private static RefTerm WithOperands(RefTerm r, Term[] operands) =>
            ReferenceEquals(operands, r.Operands) ? r : Compiler.FinishTerm(new RefTerm(r.Root, r.Head, operands) { Location = r.Location });

        /// <summary>Maps in order; returns <paramref name="terms"/> itself when nothing changed.</summary>
        private static Term[] Map(Term[] terms, Func<Term, Term> f)
        {
            Term[]? copy = null;
            for (var i = 0; i < terms.Length; i++)
            {
                var t = f(terms[i]);
                if (!ReferenceEquals(t, terms[i]))
                {
                    copy ??= (Term[])terms.Clone();
                }

                if (copy is not null)
                {
                    copy[i] = t;
                }
            }

            return copy ?? terms;
        }
    }
}
