using Vigil.Policy.Compilation;
using Vigil.Policy.Values;

namespace Vigil.Policy.Evaluation;

/// <summary>
/// Closure-free fast paths for the common shape of policy: bodies whose expressions are ground tests (comparisons,
/// refs into input and data, membership, calls with bound operands) and functions called with ground arguments.
/// Each fast path does exactly what the continuation-passing code does for such an expression (same order of
/// evaluation, same steps, limits and errors), only without allocating continuations; at the first expression that
/// is not a ground test it hands over to the general evaluator at that position. Disabled by
/// <see cref="EvaluationOptions.GeneralEvaluatorOnly"/>, which the differential tests use to compare both.
/// </summary>
internal sealed partial class Evaluator
{
    /// <summary>
    /// Runs the leading deterministic expressions of <paramref name="body"/> (ground tests, and assignments of ground
    /// values to unbound variables). Returns <c>body.Length</c> when all of them hold, -1 when one fails (the body has no
    /// solution), or the index of the first expression the general evaluator must run, with the bindings made so far.
    /// </summary>
    private int EvalGroundPrefix(Expr[] body, Value?[] f)
    {
        if (!_fast)
        {
            return 0;
        }

        for (var i = 0; i < body.Length; i++)
        {
            var expr = body[i];
            if (expr.Withs.Length > 0)
            {
                return i;
            }

            bool holds;
            switch (expr.Kind)
            {
                case ExprKind.Term:
                    {
                        // As EvalExprCore / EvalCallExpr: a call without an output operand whose inputs are ground, or a ground term.
                        var term = expr.A!;
                        Value? v;
                        if (term is CallTerm call)
                        {
                            if (call.Args.Length == call.Arity + 1 || call.Builtin?.Relation is not null || !AllGroundArgs(call, f))
                            {
                                return i;
                            }

                            Step();
                            EnsureStack();
                            v = EvalCallGround(call, f);
                        }
                        else if (term.IsVarFree || IsGround(term, f))
                        {
                            Step();
                            EnsureStack();
                            v = EvalGround(term, f);
                        }
                        else
                        {
                            return i;
                        }

                        holds = v is not null && !IsFalse(v);
                        break;
                    }

                case ExprKind.NoOp:
                    Step();
                    EnsureStack();
                    holds = true;
                    break;
                case ExprKind.Unify:
                    {
                        var result = TryUnifyGround(expr, f);
                        if (result is null)
                        {
                            return i;
                        }

                        holds = result.Value;
                        break;
                    }

                default:
                    return i;
            }

            // A negated expression succeeds when the expression has no solution.
            if (holds == expr.Negated)
            {
                return -1;
            }
        }

        return body.Length;
    }

    /// <summary>
    /// As <see cref="Unify"/> for the deterministic cases: both sides ground (an equality test), or, when not negated, an
    /// unbound variable on one side and a ground term on the other (<c>x := expr</c>: evaluate and bind). The binding stays
    /// in the frame: nothing before it in the body can backtrack, and the frame belongs to this body evaluation.
    /// Returns null for any other shape (the general evaluator runs it).
    /// </summary>
    private bool? TryUnifyGround(Expr expr, Value?[] f)
    {
        var a = expr.A!;
        var b = expr.B!;
        var aPattern = HasPattern(a, f);
        var bPattern = HasPattern(b, f);
        if (!aPattern && !bPattern)
        {
            if (!(a.IsVarFree || IsGround(a, f)) || !(b.IsVarFree || IsGround(b, f)))
            {
                return null;
            }

            Step();
            EnsureStack();
            var va = EvalGround(a, f);
            if (va is null)
            {
                return false;
            }

            var vb = EvalGround(b, f);
            return vb is not null && va.Equals(vb);
        }

        if (expr.Negated || aPattern == bPattern)
        {
            return null;
        }

        var (source, pattern) = aPattern ? (b, a) : (a, b);
        if (pattern is not VarTerm target || !(source.IsVarFree || IsGround(source, f)))
        {
            return null;
        }

        Step();
        EnsureStack();
        var value = EvalGround(source, f);
        if (value is null)
        {
            return false;
        }

        f[target.Slot] = value;
        return true;
    }

    /// <summary>A user function call with ground operands (no <c>with</c> replacement active): as <see cref="EvalCallGroundSlow"/> without closures.</summary>
    private Value? EvalFunctionGround(CallTerm call, Value?[] f)
    {
        var arity = call.Arity;
        var args = RentFrame(arity);
        for (var i = 0; i < arity; i++)
        {
            var v = EvalGround(call.Args[i], f);
            if (v is null)
            {
                ReturnFrame(args);
                return null;
            }

            args[i] = v;
        }

        // As Dispatch: one step, then the call.
        Step();
        var result = CallFunction(call.Function!, args!, call.Location);
        ReturnFrame(args);
        return result;
    }

    /// <summary>
    /// One function definition whose parameters are plain variables or constants (<see cref="Rule.PlainArgs"/>):
    /// parameters are bound directly, the ground prefix of the body runs as a loop, the rest (if any) in the general evaluator.
    /// </summary>
    private Value? EvalFunctionRuleFast(Rule r, Value[] args)
    {
        Enter(r.Location);
        var frame = RentFrame(r.FrameSize);
        Value? value = null;
        if (BindPlainArgs(r, args, frame))
        {
            var start = EvalGroundPrefix(r.Body, frame);
            if (start == r.Body.Length)
            {
                value = EvalGround(r.Value, frame);
            }
            else if (start >= 0)
            {
                value = EvalFunctionRuleFrom(r, frame, start);
            }
        }

        ReturnFrame(frame);
        Exit();
        return value;
    }

    /// <summary>As BindArgs for plain parameters: a variable binds (or, when it repeats, must equal), a constant must equal.</summary>
    private static bool BindPlainArgs(Rule r, Value[] args, Value?[] frame)
    {
        var parameters = r.Args;
        for (var i = 0; i < args.Length; i++)
        {
            switch (parameters[i])
            {
                case VarTerm v:
                    {
                        var current = frame[v.Slot];
                        if (current is null)
                        {
                            frame[v.Slot] = args[i];
                        }
                        else if (!current.Equals(args[i]))
                        {
                            return false;
                        }

                        break;
                    }

                case ConstTerm c:
                    if (!c.Value.Equals(args[i]))
                    {
                        return false;
                    }

                    break;
                default:
                    throw EvalErrors.Internal("function parameter is not plain", r.Location);
            }
        }

        return true;
    }

    /// <summary>The general evaluation of a function body from <paramref name="start"/> (its own method, so the fast path allocates no closure).</summary>
    private Value? EvalFunctionRuleFrom(Rule r, Value?[] frame, int start)
    {
        Value? value = null;
        EvalBody(r.Body, start, frame, () => AcceptFunctionValue(r, frame, ref value));
        return value;
    }

    /// <summary>
    /// One solution of a function body: records the head value; a second, different value is a conflict.
    /// Returns true (stop) once a constant head has its value.
    /// </summary>
    private bool AcceptFunctionValue(Rule r, Value?[] frame, ref Value? value)
    {
        var v = EvalGround(r.Value, frame);
        if (v is null)
        {
            return false;
        }

        if (value is null)
        {
            value = v;
            return r.Value.IsVarFree;
        }

        if (!value.Equals(v))
        {
            throw EvalErrors.Conflict(EvalErrors.FunctionConflict, Loc(r.Location));
        }

        return false;
    }

    /// <summary>Solutions of a complete rule's body: the ground prefix as a loop, the rest in the general evaluator.</summary>
    private Value? EvalRuleSolutionsFast(Rule r, Value?[] frame, string conflictMessage)
    {
        var start = EvalGroundPrefix(r.Body, frame);
        if (start < 0)
        {
            return null;
        }

        return start == r.Body.Length ? EvalGround(r.Value, frame) : EvalRuleSolutions(r, frame, conflictMessage, start);
    }

    /// <summary>
    /// The walk of <see cref="EvalDataRefGround"/> over the leading constant string keys of a data ref without overrides,
    /// computed once: it stops where the walk needs evaluation (a rule node's value, a non-constant key) or the ref ends.
    /// </summary>
    private DataPrefix StaticDataPrefix(RefTerm r)
    {
        var cached = r.StaticDataPrefix;
        if (cached is not null && ReferenceEquals(cached.Program, _program))
        {
            return cached;
        }

        RuleNode? node = _program.Root;
        Value? baseData = _program.Data;
        var ops = r.Operands;
        var i = 0;
        var undefined = false;
        for (; i < ops.Length; i++)
        {
            if (node is null || node.HasRules || ops[i] is not ConstTerm { Value: StringValue s } c)
            {
                break;
            }

            node = node.Children.GetValueOrDefault(s.Value);
            baseData = baseData is null ? null : SelectData(baseData, c.Value);
            if (node is null && baseData is null)
            {
                undefined = true;
                i++;
                break;
            }
        }

        // Publishing the immutable result is safe: a racing thread computes an equal one.
        var prefix = new DataPrefix(_program, node, baseData, i, undefined);
        r.StaticDataPrefix = prefix;
        return prefix;
    }

    /// <summary>
    /// A literal array, set or object whose parts are all constants (<c>{"user", "service"}</c>, <c>["GET", "HEAD"]</c>)
    /// has one value: it is built on first evaluation and shared afterwards. An object literal with conflicting
    /// duplicate keys is never treated as constant, so it raises its conflict every time as before.
    /// </summary>
    private static bool TryConstantComposite(Term t, out Value value)
    {
        var known = t.ConstantValue;
        if (known is null)
        {
            // Publishing a reference is safe (the value is fully built first); a racing thread builds an equal value.
            known = BuildConstantComposite(t) ?? NotConstant;
            t.ConstantValue = known;
        }

        value = known;
        return !ReferenceEquals(known, NotConstant);
    }

    /// <summary>Marks literals that are not constant (compared by reference only).</summary>
    private static readonly Value NotConstant = StringValue.Create("\u0000not a constant literal");

    /// <summary>The value of a literal whose parts are constants (or constant literals), or null.</summary>
    private static Value? BuildConstantComposite(Term t)
    {
        switch (t)
        {
            case ArrayTerm a:
                {
                    var items = new Value[a.Items.Length];
                    for (var i = 0; i < items.Length; i++)
                    {
                        if (ConstantPart(a.Items[i]) is not { } item)
                        {
                            return null;
                        }

                        items[i] = item;
                    }

                    return ArrayValue.Wrap(items);
                }

            case SetTerm s:
                {
                    var set = new HashSet<Value>(s.Items.Length);
                    foreach (var itemTerm in s.Items)
                    {
                        if (ConstantPart(itemTerm) is not { } item)
                        {
                            return null;
                        }

                        set.Add(item);
                    }

                    return SetValue.Wrap(set);
                }

            case ObjectTerm o:
                {
                    var dict = new Dictionary<Value, Value>(o.Keys.Length);
                    for (var i = 0; i < o.Keys.Length; i++)
                    {
                        if (ConstantPart(o.Keys[i]) is not { } key || ConstantPart(o.Values[i]) is not { } value)
                        {
                            return null;
                        }

                        if (dict.TryGetValue(key, out var existing) && !existing.Equals(value))
                        {
                            // A conflict: left to the general evaluation, which raises it each time.
                            return null;
                        }

                        dict[key] = value;
                    }

                    return ObjectValue.Wrap(dict);
                }

            default:
                return null;
        }
    }

    private static Value? ConstantPart(Term t) => t switch
    {
        ConstTerm c => c.Value,
        ArrayTerm or SetTerm or ObjectTerm => TryConstantComposite(t, out var v) ? v : null,
        _ => null,
    };
}
