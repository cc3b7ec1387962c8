using System.Text;
using Vigil.Policy.Builtins;
using Vigil.Policy.Compilation;
using Vigil.Policy.Values;

namespace Vigil.Policy.Evaluation;

/// <summary>Calls (builtins, user functions, print) and <c>with</c>.</summary>
internal sealed partial class Evaluator
{
    /// <summary>A call as a whole expression: with an output operand it unifies the result; otherwise the result must not be false.</summary>
    private bool EvalCallExpr(CallTerm call, Value?[] f, Func<bool> k, SourceLocation location)
    {
        if (call.Args.Length == call.Arity + 1)
        {
            return EvalCallWithOutput(call, f, k, location);
        }

        if (AllGroundArgs(call, f) && call.Builtin?.Relation is null)
        {
            var v = EvalCallGround(call, f);
            return v is not null && !IsFalse(v) && k();
        }

        return EvalCallTruthy(call, f, k, location);
    }

    private bool EvalCallWithOutput(CallTerm call, Value?[] f, Func<bool> k, SourceLocation location)
    {
        var output = call.Args[^1];
        if (AllGroundArgs(call, f) && call.Builtin?.Relation is null)
        {
            var v = EvalCallGround(call, f);
            return v is not null && UnifyValue(output, v, f, k);
        }

        return EvalCallOutputs(call, f, result => UnifyValue(output, result, f, k), location);
    }

    private bool EvalCallTruthy(CallTerm call, Value?[] f, Func<bool> k, SourceLocation location) =>
        EvalCallOutputs(call, f, v => !IsFalse(v) && k(), location);

    private static bool AllGroundArgs(CallTerm call, Value?[] f)
    {
        var args = call.Args;
        for (var i = 0; i < call.Arity && i < args.Length; i++)
        {
            if (!IsGround(args[i], f))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Call in term position: the single result value of a call with ground operands.</summary>
    private Value? EvalCallGround(CallTerm call, Value?[] f)
    {
        if (_functionOverrides is null && call.Kind == CallKind.Builtin)
        {
            return EvalBuiltinGround(call, f);
        }

        if (_fast && _functionOverrides is null && call.Kind == CallKind.Function)
        {
            return EvalFunctionGround(call, f);
        }

        return EvalCallGroundSlow(call, f);
    }

    private Value? EvalCallGroundSlow(CallTerm call, Value?[] f)
    {
        var args = new Value[call.Arity];
        for (var i = 0; i < args.Length; i++)
        {
            var v = EvalGround(call.Args[i], f);
            if (v is null)
            {
                if (call.Kind == CallKind.Print)
                {
                    v = UndefinedTemplateValue;
                }
                else
                {
                    return null;
                }
            }

            args[i] = v;
        }

        Value? single = null;
        Dispatch(call, args, v =>
        {
            single = v;
            return true;
        });
        return single;
    }

    /// <summary>Fast path for a builtin with ground operands: operands go to a reusable stack, no closures.</summary>
    private Value? EvalBuiltinGround(CallTerm call, Value?[] f)
    {
        var builtin = call.Builtin!;
        var arity = call.Arity;
        if (arity == 2 && (call.Name is "equal" or "neq"))
        {
            var a = EvalGround(call.Args[0], f);
            if (a is null)
            {
                return null;
            }

            var b = EvalGround(call.Args[1], f);
            if (b is null)
            {
                return null;
            }

            return BooleanValue.From(a.Equals(b) == (call.Name == "equal"));
        }

        if (builtin.Function is null)
        {
            Value? single = null;
            var args = new Value[arity];
            for (var i = 0; i < arity; i++)
            {
                var v = EvalGround(call.Args[i], f);
                if (v is null)
                {
                    return null;
                }

                args[i] = v;
            }

            CallBuiltin(call.Name, builtin, args, v =>
            {
                single = v;
                return true;
            }, call.Location);
            return single;
        }

        var start = _scratchTop;
        if (start + arity > _scratch.Length)
        {
            Array.Resize(ref _scratch, Math.Max(_scratch.Length * 2, start + arity + 8));
        }

        _scratchTop = start + arity;
        try
        {
            for (var i = 0; i < arity; i++)
            {
                var v = EvalGround(call.Args[i], f);
                if (v is null)
                {
                    return null;
                }

                _scratch[start + i] = v;
            }

            Step();
            try
            {
                var result = builtin.Function(BuiltinContext, _scratch.AsSpan(start, arity));
                if (result is not null && ParsesDocuments(call.Name))
                {
                    InputLimits.Check(result, _maxDepth);
                }

                return result;
            }
            catch (Exception e) when (e is not PolicyException)
            {
                HandleBuiltinException(call.Name, e, call.Location);
                return null;
            }
        }
        finally
        {
            _scratch.AsSpan(start, arity).Clear();
            _scratchTop = start;
        }
    }

    private Value[] _scratch = [];
    private int _scratchTop;

    /// <summary>Enumerates the results of a call whose operands may need enumeration.</summary>
    private bool EvalCallValues(CallTerm call, Value?[] f, Func<Value, bool> k) =>
        EvalCallOutputs(call, f, k, call.Location);

    private bool EvalCallOutputs(CallTerm call, Value?[] f, Func<Value, bool> k, SourceLocation location)
    {
        _ = location;
        var inputs = call.Arity <= call.Args.Length ? call.Args.AsSpan(0, call.Arity).ToArray() : call.Args;
        if (call.Kind == CallKind.Print)
        {
            var args = new Value[inputs.Length];
            for (var i = 0; i < args.Length; i++)
            {
                args[i] = (IsGround(inputs[i], f) ? EvalGround(inputs[i], f) : null) ?? UndefinedTemplateValue;
            }

            return Dispatch(call, args, k);
        }

        return EvalItems(inputs, 0, new Value[inputs.Length], f, values => Dispatch(call, (Value[])values.Clone(), k));
    }

    /// <summary>Invokes the call target (honouring <c>with</c> replacements) and passes each result to <paramref name="k"/>.</summary>
    private bool Dispatch(CallTerm call, Value[] args, Func<Value, bool> k)
    {
        Step();
        if (_functionOverrides is not null && _functionOverrides.TryGetValue(call.Name, out var replacement))
        {
            if (replacement.Value is { } constant)
            {
                return k(constant);
            }

            if (replacement.Function is { } fn)
            {
                // Mocks do not apply inside a mock (it may call the function it replaces).
                var saved = SaveContext();
                _functionOverrides = null;
                _cache = new object?[_cache.Length];
                _comprehensionCache = null;
                Value? result = null;
                try
                {
                    DispatchTarget(fn.Kind, fn.Name, fn.Builtin, fn.Function, args, v =>
                    {
                        result = v;
                        return true;
                    }, call.Location);
                }
                finally
                {
                    RestoreContext(saved);
                }

                return result is not null && k(result);
            }

            if (replacement.Builtin is { } bi)
            {
                return DispatchTarget(CallKind.Builtin, bi.Name, bi, null, args, k, call.Location);
            }
        }

        return DispatchTarget(call.Kind, call.Name, call.Builtin, call.Function, args, k, call.Location);
    }

    private bool DispatchTarget(CallKind kind, string name, BuiltinDefinition? builtin, RuleNode? function, Value[] args, Func<Value, bool> k, SourceLocation location)
    {
        switch (kind)
        {
            case CallKind.Function:
                {
                    var result = CallFunction(function!, args, location);
                    return result is not null && k(result);
                }

            case CallKind.Print:
                Print(args);
                return k(BooleanValue.TrueValue);
            default:
                return CallBuiltin(name, builtin!, args, k, location);
        }
    }

    private bool CallBuiltin(string name, BuiltinDefinition builtin, Value[] args, Func<Value, bool> k, SourceLocation location)
    {
        if (name == "equal" && args.Length == 2)
        {
            return k(BooleanValue.From(args[0].Equals(args[1])));
        }

        if (name == "neq" && args.Length == 2)
        {
            return k(BooleanValue.From(!args[0].Equals(args[1])));
        }

        if (builtin.Relation is { } relation)
        {
            List<Value> outputs;
            try
            {
                outputs = [.. relation(BuiltinContext, args)];
            }
            catch (Exception e) when (e is not PolicyException)
            {
                return HandleBuiltinException(name, e, location);
            }

            foreach (var output in outputs)
            {
                if (k(output))
                {
                    return true;
                }
            }

            return false;
        }

        Value? value;
        try
        {
            value = builtin.Function!(BuiltinContext, args);
        }
        catch (Exception e) when (e is not PolicyException)
        {
            return HandleBuiltinException(name, e, location);
        }

        if (value is null)
        {
            return false;
        }

        if (ParsesDocuments(name))
        {
            InputLimits.Check(value, _maxDepth);
        }

        return k(value);
    }

    /// <summary>Builtins that build values from text: their results get the same nesting limit as input.</summary>
    private static bool ParsesDocuments(string name) =>
        name is "json.unmarshal" or "yaml.unmarshal" or "io.jwt.decode" or "io.jwt.decode_verify" or "base64url.decode" or "json.patch";

    private bool HandleBuiltinException(string name, Exception e, SourceLocation location)
    {
        switch (e)
        {
            case OperationCanceledException:
                throw EvalErrors.Cancel("caller cancelled query execution");
            case InsufficientExecutionStackException:
                throw EvalErrors.Limit("evaluation is nested too deeply (stack limit reached)", Loc(location));
            case BuiltinTypeException te:
                if (_strict)
                {
                    throw EvalErrors.Type($"{name}: {te.Message}", Loc(location));
                }

                return false;
            default:
                if (_strict)
                {
                    throw EvalErrors.Builtin($"{name}: {e.Message}", Loc(location));
                }

                return false;
        }
    }

    private void Print(Value[] args)
    {
        var print = _options.Print;
        if (print is null)
        {
            return;
        }

        var builder = new StringBuilder();
        for (var i = 0; i < args.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(' ');
            }

            builder.Append(args[i] is StringValue s ? s.Value : args[i].ToString());
        }

        print(builder.ToString());
    }

    // ---------------------------------------------------------------- with

    private bool EvalWith(Expr expr, Value?[] f, Func<bool> k)
    {
        // Evaluate the replacement values first, in the current (outer) context.
        var values = new Value[expr.Withs.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var with = expr.Withs[i];
            if (with.Kind == WithTargetKind.Function && (with.Replacement is not null || with.ReplacementBuiltin is not null))
            {
                values[i] = BooleanValue.TrueValue;
                continue;
            }

            Value? v = null;
            if (IsGround(with.Value, f))
            {
                v = EvalGround(with.Value, f);
            }
            else
            {
                EvalTerm(with.Value, f, x =>
                {
                    v = x;
                    return true;
                });
            }

            if (v is null)
            {
                return false;
            }

            values[i] = v;
        }

        var outer = SaveContext();
        var inner = outer;
        var input = _input;
        OverrideNode? data = _dataOverrides;
        var functions = _functionOverrides;
        var copiedData = false;
        var copiedFunctions = false;
        for (var i = 0; i < values.Length; i++)
        {
            var with = expr.Withs[i];
            switch (with.Kind)
            {
                case WithTargetKind.Input:
                    input = with.Path.Length == 0 ? values[i] : SetPath(input, with.Path, 0, values[i]);
                    break;
                case WithTargetKind.Data:
                    if (!copiedData)
                    {
                        data = data?.Clone() ?? new OverrideNode();
                        copiedData = true;
                    }

                    var node = data!;
                    foreach (var segment in with.Path)
                    {
                        if (node.Value is not null)
                        {
                            // Deeper override inside an overridden value: patch the value.
                            break;
                        }

                        node.Children ??= new Dictionary<string, OverrideNode>(StringComparer.Ordinal);
                        if (!node.Children.TryGetValue(segment, out var child))
                        {
                            child = new OverrideNode();
                            node.Children[segment] = child;
                        }

                        node = child;
                    }

                    if (node.Value is not null && !ReferenceEquals(node, data) && with.Path.Length > 0)
                    {
                        node.Value = values[i];
                    }
                    else
                    {
                        node.Value = values[i];
                    }

                    node.Children = null;
                    break;
                default:
                    if (!copiedFunctions)
                    {
                        functions = functions is null ? new Dictionary<string, FunctionOverride>(StringComparer.Ordinal) : new Dictionary<string, FunctionOverride>(functions, StringComparer.Ordinal);
                        copiedFunctions = true;
                    }

                    functions![with.FunctionName!] = with.Replacement is not null
                        ? new FunctionOverride { Function = with.Replacement }
                        : with.ReplacementBuiltin is not null
                            ? new FunctionOverride { Builtin = with.ReplacementBuiltin }
                            : new FunctionOverride { Value = values[i] };
                    break;
            }
        }

        inner = new EvalContext(input, data, functions, new object?[_cache.Length], null);
        RestoreContext(inner);
        try
        {
            return EvalExprNoWith(expr, f, () =>
            {
                var current = SaveContext();
                RestoreContext(outer);
                try
                {
                    return k();
                }
                finally
                {
                    RestoreContext(current);
                }
            });
        }
        finally
        {
            RestoreContext(outer);
        }
    }

    private readonly record struct EvalContext(
        Value? Input, OverrideNode? Data, Dictionary<string, FunctionOverride>? Functions, object?[] Cache, Dictionary<ComprehensionTerm, Value?>? Comprehensions);

    private EvalContext SaveContext() => new(_input, _dataOverrides, _functionOverrides, _cache, _comprehensionCache);

    private void RestoreContext(EvalContext context)
    {
        _input = context.Input;
        _dataOverrides = context.Data;
        _functionOverrides = context.Functions;
        _cache = context.Cache;
        _comprehensionCache = context.Comprehensions;
    }

    /// <summary>Returns <paramref name="target"/> with the value at <paramref name="path"/> replaced (objects are created as needed).</summary>
    private static Value SetPath(Value? target, string[] path, int index, Value value)
    {
        if (index == path.Length)
        {
            return value;
        }

        var dict = target is ObjectValue o ? new Dictionary<Value, Value>(o.Items) : [];
        var key = StringValue.From(path[index]);
        dict[key] = SetPath(dict.GetValueOrDefault(key), path, index + 1, value);
        return ObjectValue.Wrap(dict);
    }
}
