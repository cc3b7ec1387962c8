using System.Runtime.CompilerServices;
using Vigil.Policy.Builtins;
using Vigil.Policy.Compilation;
using Vigil.Policy.Values;

namespace Vigil.Policy.Evaluation;

/// <summary>
/// Top-down evaluation with backtracking, in continuation-passing style: every producer calls its
/// continuation once per solution, and a continuation returning <c>true</c> halts the search.
/// Variables live in per-rule frames (arrays of slots); bindings are undone on the way back.
/// One instance per evaluation: it holds all mutable state, so compiled policy stays shared and immutable.
/// </summary>
internal sealed partial class Evaluator
{
    private static readonly object UndefinedMarker = new();
    private static readonly Func<bool> Halt = static () => true;

    [ThreadStatic]
    private static Evaluator? t_cached;

    private PolicyProgram _program = null!;
    private EvaluationOptions _options = null!;
    private BuiltinContext? _builtinContextValue;
    private long _deadline;
    private int _maxDepth;
    private int _maxOutput;
    private bool _strict;
    private CancellationToken _token;

    private Value? _input;
    private object?[] _cache = [];
    private OverrideNode? _dataOverrides;
    private Dictionary<string, FunctionOverride>? _functionOverrides;
    private int _depth;
    private int _steps;

    /// <summary>Values of comprehensions without free variables: they depend only on input and data, so one evaluation each.</summary>
    private Dictionary<ComprehensionTerm, Value?>? _comprehensionCache;

    public Evaluator(PolicyProgram program, Value? input, EvaluationOptions options)
    {
        Reset(program, input, options);
    }

    /// <summary>
    /// Takes this thread's spare evaluator (or a new one) prepared for one evaluation. Return it with <see cref="Release"/>.
    /// A nested evaluation on the same thread (e.g. from a print hook) simply gets a fresh instance.
    /// </summary>
    public static Evaluator Rent(PolicyProgram program, Value? input, EvaluationOptions options)
    {
        var evaluator = t_cached;
        if (evaluator is null)
        {
            return new Evaluator(program, input, options);
        }

        t_cached = null;
        evaluator.Reset(program, input, options);
        return evaluator;
    }

    /// <summary>Clears every reference the evaluation held and keeps the instance for the next evaluation on this thread.</summary>
    public void Release()
    {
        _program = null!;
        _options = null!;
        _input = null;
        _builtinContextValue?.Reset(TimeProvider.System, default, false);
        _dataOverrides = null;
        _functionOverrides = null;
        _comprehensionCache = null;
        Array.Clear(_cache);
        if (_scratch.Length > 64)
        {
            _scratch = [];
        }
        else
        {
            Array.Clear(_scratch);
        }

        _scratchTop = 0;
        t_cached = this;
    }

    private void Reset(PolicyProgram program, Value? input, EvaluationOptions options)
    {
        _program = program;
        _options = options;
        _input = input;
        _builtinContextValue?.Reset(options.TimeProvider, options.CancellationToken, options.StrictBuiltinErrors);
        _fast = !options.GeneralEvaluatorOnly;
        _dataOverrides = null;
        _functionOverrides = null;
        _comprehensionCache = null;
        _depth = 0;
        _steps = 0;
        _scratchTop = 0;
        _strict = options.StrictBuiltinErrors;
        _token = options.CancellationToken;
        _maxDepth = options.MaxDepth;
        _maxOutput = options.MaxOutputSize;
        var nodes = program.Nodes.Length;
        if (_cache.Length != nodes)
        {
            _cache = nodes == 0 ? [] : new object?[nodes];
        }
        else
        {
            Array.Clear(_cache);
        }

        _deadline = options.Timeout is { } timeout
            ? options.TimeProvider.GetTimestamp() + (long)(timeout.TotalSeconds * options.TimeProvider.TimestampFrequency)
            : long.MaxValue;
    }

    /// <summary>Created on first use: most decisions never call a builtin that needs it.</summary>
    private BuiltinContext BuiltinContext =>
        _builtinContextValue ??= new BuiltinContext(_options.TimeProvider, _options.CancellationToken, _options.StrictBuiltinErrors);

    // ---------------------------------------------------------------- limits

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Step()
    {
        if ((++_steps & 255) == 0)
        {
            CheckLimits();
        }
    }

    private void CheckLimits()
    {
        if (_token.IsCancellationRequested)
        {
            throw EvalErrors.Cancel("caller cancelled query execution");
        }

        if (_deadline != long.MaxValue && _options.TimeProvider.GetTimestamp() > _deadline)
        {
            throw EvalErrors.Cancel("timed out (evaluation deadline exceeded)");
        }
    }

    private void Enter(SourceLocation location)
    {
        if (++_depth > _maxDepth)
        {
            throw EvalErrors.Limit($"evaluation exceeded the maximum depth of {_maxDepth} nested rule, function or comprehension evaluations", location);
        }

        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw EvalErrors.Limit("evaluation is nested too deeply (stack limit reached)", location);
        }

        Step();
    }

    private void Exit() => _depth--;

    /// <summary>Continuation chains grow the stack with body length and pattern size: fail cleanly before it runs out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void EnsureStack()
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw EvalErrors.Limit("evaluation is nested too deeply (stack limit reached)");
        }
    }

    private void CheckOutput(int count, SourceLocation location)
    {
        if (count > _maxOutput)
        {
            throw EvalErrors.Limit($"evaluation produced more than {_maxOutput} elements", location);
        }
    }

    // ---------------------------------------------------------------- query

    /// <summary>Evaluates a single variable-free term (the common <c>data.pkg.rule</c> query) without backtracking machinery.</summary>
    public Value? EvalSingleTerm(Term term)
    {
        CheckLimits();
        return EvalGround(term, NoFrame);
    }

    /// <summary>Evaluates a query, calling <paramref name="onRow"/> for each solution (its return value halts).</summary>
    public void EvalQuery(CompiledQuery query, Value?[] frame, Value?[] expressionValues, Func<bool> onRow)
    {
        CheckLimits();
        var rowCheck = onRow;
        if (query.CheckCaptures)
        {
            rowCheck = () =>
            {
                foreach (var v in expressionValues)
                {
                    if (v is not null && IsFalse(v))
                    {
                        return false;
                    }
                }

                return onRow();
            };
        }

        EvalQueryBody(query, 0, frame, expressionValues, rowCheck);
    }

    private bool EvalQueryBody(CompiledQuery query, int index, Value?[] frame, Value?[] values, Func<bool> onRow)
    {
        var body = query.Body;
        if (index == body.Length)
        {
            return onRow();
        }

        var expr = body[index];
        var next = index + 1 == body.Length ? onRow : NextQueryExpr(query, index, frame, values, onRow);
        var term = query.ExpressionTerms[index];
        var slot = query.OriginalIndex[index];
        if (slot < 0)
        {
            // An expression the compiler generated (an operand moved out of a negation): nothing to report.
            return EvalExpr(expr, frame, next);
        }

        if (query.CaptureSlots[index] is var capture and >= 0)
        {
            return EvalExpr(expr, frame, CaptureThen(frame, capture, values, slot, next));
        }

        if (term is null || expr.Negated || expr.Withs.Length > 0)
        {
            values[slot] = BooleanValue.TrueValue;
            return EvalExpr(expr, frame, next);
        }

        // A plain term expression: report its value (false is a value here; rows are checked at the end when required).
        if (term.IsVarFree || IsGround(term, frame))
        {
            var v = EvalGround(term, frame);
            if (v is null)
            {
                return false;
            }

            values[slot] = v;
            return next();
        }

        return EvalQueryTermSlow(term, frame, values, slot, next);
    }

    private static Func<bool> CaptureThen(Value?[] frame, int capture, Value?[] values, int slot, Func<bool> next) => () =>
    {
        values[slot] = frame[capture];
        return next();
    };

    private Func<bool> NextQueryExpr(CompiledQuery query, int index, Value?[] frame, Value?[] values, Func<bool> onRow) =>
        () => EvalQueryBody(query, index + 1, frame, values, onRow);

    private bool EvalQueryTermSlow(Term term, Value?[] frame, Value?[] values, int index, Func<bool> next) =>
        EvalTerm(term, frame, v =>
        {
            values[index] = v;
            return next();
        });

    // ---------------------------------------------------------------- bodies and expressions

    private bool EvalBody(Expr[] body, int index, Value?[] f, Func<bool> k)
    {
        if (index == body.Length)
        {
            return k();
        }

        var expr = body[index];
        if (index + 1 == body.Length)
        {
            return EvalExpr(expr, f, k);
        }

        return EvalExpr(expr, f, NextExpr(body, index, f, k));
    }

    private Func<bool> NextExpr(Expr[] body, int index, Value?[] f, Func<bool> k) => () => EvalBody(body, index + 1, f, k);

    private bool EvalExpr(Expr expr, Value?[] f, Func<bool> k)
    {
        Step();
        EnsureStack();
        if (expr.Withs.Length > 0)
        {
            return EvalWith(expr, f, k);
        }

        return EvalExprNoWith(expr, f, k);
    }

    private bool EvalExprNoWith(Expr expr, Value?[] f, Func<bool> k)
    {
        if (expr.Negated)
        {
            var found = EvalExprCore(expr, f, Halt);
            return !found && k();
        }

        return EvalExprCore(expr, f, k);
    }

    private bool EvalExprCore(Expr expr, Value?[] f, Func<bool> k)
    {
        switch (expr.Kind)
        {
            case ExprKind.Term:
                {
                    var term = expr.A!;
                    if (term is CallTerm call)
                    {
                        return EvalCallExpr(call, f, k, expr.Location);
                    }

                    if (term.IsVarFree || IsGround(term, f))
                    {
                        var v = EvalGround(term, f);
                        return v is not null && !IsFalse(v) && k();
                    }

                    return EvalTruthy(term, f, k);
                }

            case ExprKind.Unify:
                return Unify(expr.A!, expr.B!, f, k);

            case ExprKind.SomeIn:
                return EvalSomeIn(expr, f, k);

            case ExprKind.Every:
                return EvalEvery(expr, f, k);

            case ExprKind.NoOp:
                return k();

            default:
                throw EvalErrors.Internal("unknown expression kind", expr.Location);
        }
    }

    private bool EvalTruthy(Term term, Value?[] f, Func<bool> k) => EvalTerm(term, f, v => !IsFalse(v) && k());

    private bool EvalSomeIn(Expr expr, Value?[] f, Func<bool> k) => EvalTerm(expr.A!, f, coll => IterateMembers(coll, expr.Key, expr.B!, f, k));

    private bool IterateMembers(Value collection, Term? keyPattern, Term valuePattern, Value?[] f, Func<bool> k)
    {
        switch (collection)
        {
            case ArrayValue array:
                for (var i = 0; i < array.Count; i++)
                {
                    Step();
                    var item = array[i];
                    if (keyPattern is null
                        ? UnifyValue(valuePattern, item, f, k)
                        : UnifyValue(keyPattern, NumberValue.Create(i), f, () => UnifyValue(valuePattern, item, f, k)))
                    {
                        return true;
                    }
                }

                return false;

            case ObjectValue obj:
                foreach (var (key, value) in obj.Sorted)
                {
                    Step();
                    if (keyPattern is null
                        ? UnifyValue(valuePattern, value, f, k)
                        : UnifyValue(keyPattern, key, f, () => UnifyValue(valuePattern, value, f, k)))
                    {
                        return true;
                    }
                }

                return false;

            case SetValue set:
                foreach (var member in set.Sorted)
                {
                    Step();
                    if (keyPattern is null
                        ? UnifyValue(valuePattern, member, f, k)
                        : UnifyValue(keyPattern, member, f, () => UnifyValue(valuePattern, member, f, k)))
                    {
                        return true;
                    }
                }

                return false;

            default:
                return false;
        }
    }

    private bool EvalEvery(Expr expr, Value?[] f, Func<bool> k)
    {
        var body = expr.Body!;
        return EvalTerm(expr.A!, f, coll =>
        {
            if (coll is not (ArrayValue or ObjectValue or SetValue))
            {
                return false;
            }

            // Every member must satisfy the body (an empty collection satisfies it).
            var ok = true;
            IterateMembers(coll, expr.Key, expr.B!, f, () =>
            {
                if (!EvalBody(body, 0, f, Halt))
                {
                    ok = false;
                    return true;
                }

                return false;
            });
            return ok && k();
        });
    }

    // ---------------------------------------------------------------- terms

    private static bool IsFalse(Value v) => v is BooleanValue { Value: false };

    /// <summary>True when every variable the term needs (outside closures) is bound, so it has at most one value.</summary>
    private static bool IsGround(Term t, Value?[] f)
    {
        if (t.IsVarFree)
        {
            return true;
        }

        switch (t)
        {
            case VarTerm v:
                return f[v.Slot] is not null;
            case RefTerm r:
                if (r.Head is not null && !IsGround(r.Head, f))
                {
                    return false;
                }

                foreach (var op in r.Operands)
                {
                    if (!IsGround(op, f))
                    {
                        return false;
                    }
                }

                return true;
            case ArrayTerm a:
                return AllGround(a.Items, f);
            case SetTerm s:
                return AllGround(s.Items, f);
            case ObjectTerm o:
                return AllGround(o.Keys, f) && AllGround(o.Values, f);
            case CallTerm c:
                if (c.Builtin?.Relation is not null || c.Args.Length != c.Arity)
                {
                    return false;
                }

                return AllGround(c.Args, f);
            case TemplateTerm tt:
                return AllGround(tt.Parts, f);
            default:
                return true;
        }
    }

    private static bool AllGround(Term[] terms, Value?[] f)
    {
        foreach (var t in terms)
        {
            if (!IsGround(t, f))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Evaluates a ground term to its single value, or null when undefined.</summary>
    private Value? EvalGround(Term t, Value?[] f)
    {
        switch (t)
        {
            case ConstTerm c:
                return c.Value;
            case VarTerm v:
                return f[v.Slot];
            case RefTerm r:
                return EvalRefGround(r, f);
            case CallTerm call:
                return EvalCallGround(call, f);
            case ArrayTerm or SetTerm or ObjectTerm when _fast && TryConstantComposite(t, out var constant):
                return constant;
            case ArrayTerm a:
                {
                    var items = new Value[a.Items.Length];
                    for (var i = 0; i < items.Length; i++)
                    {
                        var item = EvalGround(a.Items[i], f);
                        if (item is null)
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
                        var item = EvalGround(itemTerm, f);
                        if (item is null)
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
                        var key = EvalGround(o.Keys[i], f);
                        if (key is null)
                        {
                            return null;
                        }

                        var value = EvalGround(o.Values[i], f);
                        if (value is null)
                        {
                            return null;
                        }

                        if (dict.TryGetValue(key, out var existing) && !existing.Equals(value))
                        {
                            throw EvalErrors.Conflict(EvalErrors.ObjectKeyConflict, o.Location);
                        }

                        dict[key] = value;
                    }

                    return ObjectValue.Wrap(dict);
                }

            case ComprehensionTerm comp:
                return EvalComprehension(comp, f);
            case TemplateTerm template:
                return EvalTemplate(template, f);
            default:
                throw EvalErrors.Internal("unknown term", t.Location);
        }
    }

    /// <summary>Enumerates the values of a term, binding unbound variables in its refs.</summary>
    private bool EvalTerm(Term t, Value?[] f, Func<Value, bool> k)
    {
        if (t.IsVarFree || IsGround(t, f))
        {
            var v = EvalGround(t, f);
            return v is not null && k(v);
        }

        return EvalTermSlow(t, f, k);
    }

    private bool EvalTermSlow(Term t, Value?[] f, Func<Value, bool> k)
    {
        switch (t)
        {
            case VarTerm v:
                throw new PolicyEvaluationException(new PolicyError(PolicyErrorCodes.UnsafeVarError, $"var {v.Name} is unsafe", Loc(v.Location)));
            case RefTerm r:
                return EvalRef(r, f, k);
            case CallTerm call:
                return EvalCallValues(call, f, k);
            case ArrayTerm a:
                return EvalItems(a.Items, 0, new Value[a.Items.Length], f, items => k(ArrayValue.Wrap((Value[])items.Clone())));
            case SetTerm s:
                return EvalItems(s.Items, 0, new Value[s.Items.Length], f, items => k(SetValue.Create(items)));
            case ObjectTerm o:
                {
                    var all = new Term[o.Keys.Length * 2];
                    o.Keys.CopyTo(all, 0);
                    o.Values.CopyTo(all, o.Keys.Length);
                    return EvalItems(all, 0, new Value[all.Length], f, items =>
                    {
                        var dict = new Dictionary<Value, Value>(o.Keys.Length);
                        for (var i = 0; i < o.Keys.Length; i++)
                        {
                            dict[items[i]] = items[o.Keys.Length + i];
                        }

                        return k(ObjectValue.Wrap(dict));
                    });
                }

            case TemplateTerm template:
                {
                    // A template produces one string: several solutions of its parts are a conflict (OPA always raises it).
                    StringValue? text = null;
                    EvalItems(template.Parts, 0, new Value[template.Parts.Length], f, items =>
                    {
                        if (text is not null)
                        {
                            throw EvalErrors.Conflict("template-strings must not produce multiple outputs", Loc(template.Location));
                        }

                        text = FormatTemplate(template, items);
                        return false;
                    });
                    return text is not null && k(text);
                }
            default:
                {
                    var v = EvalGround(t, f);
                    return v is not null && k(v);
                }
        }
    }

    private bool EvalItems(Term[] terms, int index, Value[] values, Value?[] f, Func<Value[], bool> k)
    {
        EnsureStack();
        if (index == terms.Length)
        {
            return k(values);
        }

        // A bare variable bound by a later item's iteration (f(x, a[x])) is evaluated after it.
        if (terms[index] is VarTerm pending && f[pending.Slot] is null)
        {
            for (var j = index + 1; j < terms.Length; j++)
            {
                if (terms[j] is not VarTerm)
                {
                    var reordered = (Term[])terms.Clone();
                    var order = new int[terms.Length];
                    for (var x = 0; x < order.Length; x++)
                    {
                        order[x] = x;
                    }

                    (reordered[index], reordered[j]) = (reordered[j], reordered[index]);
                    (order[index], order[j]) = (order[j], order[index]);
                    var scratch = new Value[terms.Length];
                    return EvalItems(reordered, index, scratch, f, items =>
                    {
                        for (var x = 0; x < order.Length; x++)
                        {
                            values[order[x]] = items[x];
                        }

                        return k(values);
                    });
                }
            }
        }

        return EvalTerm(terms[index], f, v =>
        {
            values[index] = v;
            return EvalItems(terms, index + 1, values, f, k);
        });
    }

    private static SourceLocation? Loc(SourceLocation l) => string.IsNullOrEmpty(l.File) ? null : l;

    // ---------------------------------------------------------------- unification

    /// <summary>True when the term has an unbound variable in a position that unification binds (not inside refs or calls).</summary>
    private static bool HasPattern(Term t, Value?[] f)
    {
        if (t.IsVarFree)
        {
            return false;
        }

        switch (t)
        {
            case VarTerm v:
                return f[v.Slot] is null;
            case ArrayTerm a:
                foreach (var item in a.Items)
                {
                    if (HasPattern(item, f))
                    {
                        return true;
                    }
                }

                return false;
            case ObjectTerm o:
                foreach (var item in o.Values)
                {
                    if (HasPattern(item, f))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    private bool Unify(Term a, Term b, Value?[] f, Func<bool> k)
    {
        var aPattern = HasPattern(a, f);
        var bPattern = HasPattern(b, f);
        if (!aPattern && !bPattern)
        {
            if ((a.IsVarFree || IsGround(a, f)) && (b.IsVarFree || IsGround(b, f)))
            {
                var va = EvalGround(a, f);
                if (va is null)
                {
                    return false;
                }

                var vb = EvalGround(b, f);
                return vb is not null && va.Equals(vb) && k();
            }

            return EvalBothAndCompare(a, b, f, k);
        }

        if (aPattern && bPattern)
        {
            if (a is ArrayTerm aa && b is ArrayTerm ba)
            {
                return aa.Items.Length == ba.Items.Length && UnifyPairs(aa.Items, ba.Items, 0, f, k);
            }

            if (a is ObjectTerm ao && b is ObjectTerm bo)
            {
                return UnifyObjectTerms(ao, bo, f, k);
            }

            if (a is VarTerm av && b is VarTerm bv)
            {
                throw new PolicyEvaluationException(new PolicyError(PolicyErrorCodes.UnsafeVarError, $"var {av.Name} is unsafe", Loc(av.Location)));
            }

            // One side is a bare variable and the other a composite with unbound variables: unsafe.
            var name = a is VarTerm x ? x.Name : b is VarTerm y ? y.Name : "_";
            throw new PolicyEvaluationException(new PolicyError(PolicyErrorCodes.UnsafeVarError, $"var {name} is unsafe", Loc(a.Location)));
        }

        return aPattern ? EvalThenUnify(b, a, f, k) : EvalThenUnify(a, b, f, k);
    }

    private bool EvalBothAndCompare(Term a, Term b, Value?[] f, Func<bool> k) => EvalTerm(a, f, va => EvalTerm(b, f, vb => va.Equals(vb) && k()));

    /// <summary>Evaluates <paramref name="source"/> and unifies each value with the pattern <paramref name="pattern"/>.</summary>
    private bool EvalThenUnify(Term source, Term pattern, Value?[] f, Func<bool> k) => EvalTerm(source, f, v => UnifyValue(pattern, v, f, k));

    private bool UnifyPairs(Term[] a, Term[] b, int index, Value?[] f, Func<bool> k)
    {
        EnsureStack();
        if (index == a.Length)
        {
            return k();
        }

        if (index + 1 == a.Length)
        {
            return Unify(a[index], b[index], f, k);
        }

        return Unify(a[index], b[index], f, () => UnifyPairs(a, b, index + 1, f, k));
    }

    private bool UnifyObjectTerms(ObjectTerm a, ObjectTerm b, Value?[] f, Func<bool> k)
    {
        if (a.Keys.Length != b.Keys.Length)
        {
            return false;
        }

        var left = new Term[a.Keys.Length];
        var right = new Term[a.Keys.Length];
        for (var i = 0; i < a.Keys.Length; i++)
        {
            var key = EvalGround(a.Keys[i], f);
            if (key is null)
            {
                return false;
            }

            var found = -1;
            for (var j = 0; j < b.Keys.Length; j++)
            {
                var other = EvalGround(b.Keys[j], f);
                if (other is not null && other.Equals(key))
                {
                    found = j;
                    break;
                }
            }

            if (found < 0)
            {
                return false;
            }

            left[i] = a.Values[i];
            right[i] = b.Values[found];
        }

        return UnifyPairs(left, right, 0, f, k);
    }

    /// <summary>Unifies a term (possibly holding unbound variables) with a value.</summary>
    private bool UnifyValue(Term t, Value v, Value?[] f, Func<bool> k)
    {
        switch (t)
        {
            case VarTerm var:
                {
                    var current = f[var.Slot];
                    if (current is not null)
                    {
                        return current.Equals(v) && k();
                    }

                    f[var.Slot] = v;
                    try
                    {
                        return k();
                    }
                    finally
                    {
                        f[var.Slot] = null;
                    }
                }

            case ConstTerm c:
                return c.Value.Equals(v) && k();

            case ArrayTerm a when !a.IsVarFree:
                if (v is not ArrayValue av || av.Count != a.Items.Length)
                {
                    return false;
                }

                return UnifyArrayValue(a.Items, av, 0, f, k);

            case ObjectTerm o when !o.IsVarFree && HasPattern(o, f):
                {
                    if (v is not ObjectValue ov || ov.Count != o.Keys.Length)
                    {
                        return false;
                    }

                    var values = new Value[o.Keys.Length];
                    for (var i = 0; i < o.Keys.Length; i++)
                    {
                        var key = EvalGround(o.Keys[i], f);
                        if (key is null || !ov.TryGetValue(key, out var value))
                        {
                            return false;
                        }

                        values[i] = value;
                    }

                    return UnifyObjectValues(o.Values, values, 0, f, k);
                }

            default:
                if (t.IsVarFree || IsGround(t, f))
                {
                    var tv = EvalGround(t, f);
                    return tv is not null && tv.Equals(v) && k();
                }

                return EvalAndCompare(t, v, f, k);
        }
    }

    private bool EvalAndCompare(Term t, Value v, Value?[] f, Func<bool> k) => EvalTerm(t, f, tv => tv.Equals(v) && k());

    private bool UnifyArrayValue(Term[] items, ArrayValue value, int index, Value?[] f, Func<bool> k)
    {
        EnsureStack();
        if (index == items.Length)
        {
            return k();
        }

        if (index + 1 == items.Length)
        {
            return UnifyValue(items[index], value[index], f, k);
        }

        return UnifyValue(items[index], value[index], f, () => UnifyArrayValue(items, value, index + 1, f, k));
    }

    private bool UnifyObjectValues(Term[] terms, Value[] values, int index, Value?[] f, Func<bool> k)
    {
        EnsureStack();
        if (index == terms.Length)
        {
            return k();
        }

        return UnifyValue(terms[index], values[index], f, () => UnifyObjectValues(terms, values, index + 1, f, k));
    }

    // ---------------------------------------------------------------- comprehensions and templates

    private Value? EvalComprehension(ComprehensionTerm comp, Value?[] f)
    {
        if (comp.IsVarFree)
        {
            _comprehensionCache ??= new Dictionary<ComprehensionTerm, Value?>(ReferenceEqualityComparer.Instance);
            if (_comprehensionCache.TryGetValue(comp, out var cached))
            {
                return cached;
            }

            var value = EvalComprehensionCore(comp, f);
            _comprehensionCache[comp] = value;
            return value;
        }

        return EvalComprehensionCore(comp, f);
    }

    private Value? EvalComprehensionCore(ComprehensionTerm comp, Value?[] f)
    {
        Enter(comp.Location);
        Value result;
        switch (comp.Kind)
        {
            case ComprehensionKind.Array:
                {
                    var list = new List<Value>();
                    EvalBody(comp.Body, 0, f, () =>
                    {
                        var v = EvalGround(comp.Head, f);
                        if (v is not null)
                        {
                            list.Add(v);
                            CheckOutput(list.Count, comp.Location);
                        }

                        return false;
                    });
                    if (comp.FirstOnly)
                    {
                        Exit();
                        return list.Count > 0 ? list[0] : null!;
                    }

                    result = ArrayValue.Wrap([.. list]);
                    break;
                }

            case ComprehensionKind.Set:
                {
                    var set = new HashSet<Value>();
                    EvalBody(comp.Body, 0, f, () =>
                    {
                        var v = EvalGround(comp.Head, f);
                        if (v is not null)
                        {
                            set.Add(v);
                            CheckOutput(set.Count, comp.Location);
                        }

                        return false;
                    });
                    result = SetValue.Wrap(set);
                    break;
                }

            default:
                {
                    var dict = new Dictionary<Value, Value>();
                    EvalBody(comp.Body, 0, f, () =>
                    {
                        var key = EvalGround(comp.Head, f);
                        var value = EvalGround(comp.ValueHead!, f);
                        if (key is not null && value is not null)
                        {
                            if (dict.TryGetValue(key, out var existing) && !existing.Equals(value))
                            {
                                throw EvalErrors.Conflict(EvalErrors.ObjectKeyConflict, Loc(comp.Head.Location));
                            }

                            dict[key] = value;
                            CheckOutput(dict.Count, comp.Location);
                        }

                        return false;
                    });
                    result = ObjectValue.Wrap(dict);
                    break;
                }
        }

        Exit();
        return result;
    }

    private Value? EvalTemplate(TemplateTerm template, Value?[] f)
    {
        var values = new Value[template.Parts.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = EvalGround(template.Parts[i], f) ?? UndefinedTemplateValue;
        }

        return FormatTemplate(template, values);
    }

    private static readonly Value UndefinedTemplateValue = StringValue.From("<undefined>");

    private static StringValue FormatTemplate(TemplateTerm template, Value[] values)
    {
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < template.Literals.Length; i++)
        {
            builder.Append(template.Literals[i]);
            if (i < values.Length)
            {
                if (values[i] is StringValue s)
                {
                    builder.Append(s.Value);
                }
                else
                {
                    builder.Append(values[i].ToString());
                }
            }
        }

        return StringValue.From(builder.ToString());
    }
}
