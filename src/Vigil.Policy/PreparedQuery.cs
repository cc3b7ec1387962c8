using Vigil.Policy.Compilation;
using Vigil.Policy.Evaluation;
using Vigil.Policy.Values;

namespace Vigil.Policy;

/// <summary>A query compiled once against a <see cref="CompiledPolicy"/>. Immutable; <see cref="Evaluate"/> is thread-safe.</summary>
public sealed class PreparedQuery
{
    internal static readonly IReadOnlyDictionary<string, Value> NoBindings = System.Collections.ObjectModel.ReadOnlyDictionary<string, Value>.Empty;

    private readonly PolicyProgram _program;
    private readonly CompiledQuery _query;

    internal PreparedQuery(PolicyProgram program, CompiledQuery query)
    {
        _program = program;
        _query = query;
        if (query.Body.Length == 1 && query.SlotCount == 0 && query.Variables.Length == 0 && query.ExpressionTerms[0] is { IsVarFree: true } term
            && query.Body[0] is { Negated: false, Withs.Length: 0, Kind: ExprKind.Term } && term is not ComprehensionTerm)
        {
            _singleTerm = term;
        }
    }

    private readonly Term? _singleTerm;

    /// <summary>Evaluates the query against <paramref name="input"/>.</summary>
    /// <exception cref="PolicyEvaluationException">Conflict, type or builtin error (strict), deadline, cancellation or limit.</exception>
    public QueryResult Evaluate(Value? input = null, EvaluationOptions? options = null)
    {
        try
        {
            return EvaluateCore(input, options);
        }
        catch (OperationCanceledException)
        {
            throw EvalErrors.Cancel("caller cancelled query execution");
        }
        catch (InsufficientExecutionStackException)
        {
            throw EvalErrors.Limit("evaluation is nested too deeply (stack limit reached)");
        }
        catch (Exception e) when (e is not (PolicyException or OutOfMemoryException))
        {
            // A defect must still surface as an evaluation error (callers deny), never as an unexpected exception type.
            throw EvalErrors.Internal($"internal error: {e.GetType().Name}: {e.Message}");
        }
    }

    private QueryResult EvaluateCore(Value? input, EvaluationOptions? options)
    {
        options ??= EvaluationOptions.Default;
        if (input is not null)
        {
            InputLimits.Check(input, options.MaxDepth);
        }

        var evaluator = Evaluator.Rent(_program, input, options);
        try
        {
            return Run(evaluator, options);
        }
        finally
        {
            evaluator.Release();
        }
    }

    private QueryResult Run(Evaluator evaluator, EvaluationOptions options)
    {
        if (_singleTerm is { } single)
        {
            var value = evaluator.EvalSingleTerm(single);
            return value switch
            {
                null => QueryResult.Undefined,
                BooleanValue { Value: true } => QueryResult.SingleTrue,
                BooleanValue => QueryResult.SingleFalse,
                _ => new QueryResult([new QueryResultRow(NoBindings, [value])]),
            };
        }

        return EvaluateRows(evaluator, _query, options);
    }

    private static QueryResult EvaluateRows(Evaluator evaluator, CompiledQuery query, EvaluationOptions options)
    {
        var frame = new Value?[query.FrameSize];
        var expressionValues = new Value?[query.Body.Length];
        QueryResultRow? first = null;
        List<QueryResultRow>? rows = null;
        var maxRows = options.MaxOutputSize;
        evaluator.EvalQuery(query, frame, expressionValues, () =>
        {
            var row = MakeRow(query, frame, expressionValues);
            if (first is null)
            {
                first = row;
                return false;
            }

            rows ??= [first];
            rows.Add(row);
            if (rows.Count > maxRows)
            {
                throw EvalErrors.Limit($"query produced more than {maxRows} results");
            }

            return false;
        });
        if (first is null)
        {
            return QueryResult.Undefined;
        }

        return rows is null ? new QueryResult([first]) : new QueryResult([.. rows]);
    }

    private static QueryResultRow MakeRow(CompiledQuery query, Value?[] frame, Value?[] expressionValues)
    {
        IReadOnlyDictionary<string, Value> bindings = NoBindings;
        var variables = query.Variables;
        if (variables.Length > 0)
        {
            var dict = new Dictionary<string, Value>(variables.Length, StringComparer.Ordinal);
            foreach (var (name, slot) in variables)
            {
                if (frame[slot] is { } value)
                {
                    dict[name] = value;
                }
            }

            bindings = dict;
        }

        var expressions = new Value[expressionValues.Length];
        for (var i = 0; i < expressions.Length; i++)
        {
            expressions[i] = expressionValues[i] ?? BooleanValue.TrueValue;
        }

        return new QueryResultRow(bindings, expressions);
    }
}
