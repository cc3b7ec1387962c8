using System.Globalization;
using System.Text;
using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>
/// strings.render_template: a subset of Go's text/template (fields, variables, if/else, range,
/// with, comments, trim markers, and the comparison/logic builtins), rendering values the way
/// Go prints the decoded JSON OPA hands it. Missing keys render as "&lt;undefined&gt;".
/// </summary>
internal static class Template
{
    private const int MaxOutput = 10_000_000;

    public static void Register(BuiltinTable table) =>
        table.Add("strings.render_template", [T.String, T.Object], T.String, static (c, a) =>
            Value.From(Render(Args.String(a, 0), Args.Object(a, 1), c.CancellationToken)));

    private abstract record Node;

    private sealed record TextNode(string Text) : Node;

    private sealed record ActionNode(string Pipeline) : Node;

    private sealed record IfNode(string Pipeline, List<Node> Then, List<Node> Else, bool IsWith) : Node;

    private sealed record RangeNode(string? IndexVar, string? ElementVar, string Pipeline, List<Node> Body, List<Node> Else) : Node;

    private static readonly Value Missing = Value.From("\0missing");

    public static string Render(string template, ObjectValue data, CancellationToken cancellation)
    {
        var tokens = Tokenize(template);
        var position = 0;
        var nodes = ParseList(tokens, ref position, out var terminator);
        if (terminator is not null)
        {
            throw new BuiltinErrorException($"template: template:1: unexpected {{{{{terminator}}}}}");
        }

        var output = new StringBuilder();
        var scope = new Dictionary<string, Value>(StringComparer.Ordinal) { ["$"] = data };
        Execute(nodes, data, scope, output, cancellation);
        return output.ToString().Replace("<no value>", "<undefined>", StringComparison.Ordinal);
    }

    private static List<(bool IsAction, string Text)> Tokenize(string template)
    {
        var tokens = new List<(bool, string)>();
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf("{{", i, StringComparison.Ordinal);
            if (open < 0)
            {
                tokens.Add((false, template[i..]));
                break;
            }

            var text = template[i..open];
            var close = template.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new BuiltinErrorException("template: template:1: unclosed action");
            }

            var inner = template[(open + 2)..close];
            if (inner.StartsWith("- ", StringComparison.Ordinal) || inner == "-")
            {
                text = text.TrimEnd();
                inner = inner[1..];
            }

            var trimAfter = false;
            if (inner.EndsWith(" -", StringComparison.Ordinal))
            {
                trimAfter = true;
                inner = inner[..^1];
            }

            if (text.Length > 0)
            {
                tokens.Add((false, text));
            }

            inner = inner.Trim();
            if (!(inner.StartsWith("/*", StringComparison.Ordinal) && inner.EndsWith("*/", StringComparison.Ordinal)))
            {
                tokens.Add((true, inner));
            }

            i = close + 2;
            if (trimAfter)
            {
                while (i < template.Length && char.IsWhiteSpace(template[i]))
                {
                    i++;
                }
            }
        }

        return tokens;
    }

    private static List<Node> ParseList(List<(bool IsAction, string Text)> tokens, ref int i, out string? terminator)
    {
        var nodes = new List<Node>();
        terminator = null;
        while (i < tokens.Count)
        {
            var (isAction, text) = tokens[i++];
            if (!isAction)
            {
                nodes.Add(new TextNode(text));
                continue;
            }

            if (text == "end" || text == "else" || text.StartsWith("else ", StringComparison.Ordinal))
            {
                terminator = text;
                return nodes;
            }

            if (text.StartsWith("if ", StringComparison.Ordinal) || text.StartsWith("with ", StringComparison.Ordinal))
            {
                var isWith = text.StartsWith("with ", StringComparison.Ordinal);
                nodes.Add(ParseIf(tokens, ref i, text[(isWith ? 5 : 3)..].Trim(), isWith));
                continue;
            }

            if (text.StartsWith("range ", StringComparison.Ordinal))
            {
                var spec = text[6..].Trim();
                string? indexVar = null;
                string? elementVar = null;
                var assign = spec.IndexOf(":=", StringComparison.Ordinal);
                if (assign >= 0)
                {
                    var vars = spec[..assign].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                    if (vars.Length == 2)
                    {
                        indexVar = vars[0];
                        elementVar = vars[1];
                    }
                    else if (vars.Length == 1)
                    {
                        elementVar = vars[0];
                    }

                    spec = spec[(assign + 2)..].Trim();
                }

                var body = ParseList(tokens, ref i, out var end);
                var elseBody = new List<Node>();
                if (end == "else")
                {
                    elseBody = ParseList(tokens, ref i, out end);
                }

                if (end != "end")
                {
                    throw new BuiltinErrorException("template: template:1: unexpected EOF");
                }

                nodes.Add(new RangeNode(indexVar, elementVar, spec, body, elseBody));
                continue;
            }

            nodes.Add(new ActionNode(text));
        }

        return nodes;
    }

    private static IfNode ParseIf(List<(bool IsAction, string Text)> tokens, ref int i, string pipeline, bool isWith)
    {
        var then = ParseList(tokens, ref i, out var end);
        var elseBody = new List<Node>();
        if (end == "else")
        {
            elseBody = ParseList(tokens, ref i, out end);
        }
        else if (end is not null && end.StartsWith("else if ", StringComparison.Ordinal))
        {
            elseBody = [ParseIf(tokens, ref i, end[8..].Trim(), isWith: false)];
            return new IfNode(pipeline, then, elseBody, isWith);
        }

        if (end != "end")
        {
            throw new BuiltinErrorException("template: template:1: unexpected EOF");
        }

        return new IfNode(pipeline, then, elseBody, isWith);
    }

    private static void Execute(List<Node> nodes, Value dot, Dictionary<string, Value> scope, StringBuilder output, CancellationToken cancellation)
    {
        foreach (var node in nodes)
        {
            cancellation.ThrowIfCancellationRequested();
            if (output.Length > MaxOutput)
            {
                throw new BuiltinErrorException("template: output too large");
            }

            switch (node)
            {
                case TextNode t:
                    output.Append(t.Text);
                    break;
                case ActionNode a:
                    var assign = a.Pipeline.IndexOf(":=", StringComparison.Ordinal);
                    if (a.Pipeline.StartsWith('$') && assign > 0)
                    {
                        scope[a.Pipeline[..assign].Trim()] = Evaluate(a.Pipeline[(assign + 2)..].Trim(), dot, scope);
                        break;
                    }

                    output.Append(Print(Evaluate(a.Pipeline, dot, scope)));
                    break;
                case IfNode f:
                    var condition = Evaluate(f.Pipeline, dot, scope);
                    if (Truthy(condition))
                    {
                        Execute(f.Then, f.IsWith ? condition : dot, scope, output, cancellation);
                    }
                    else
                    {
                        Execute(f.Else, dot, scope, output, cancellation);
                    }

                    break;
                case RangeNode r:
                    var collection = Evaluate(r.Pipeline, dot, scope);
                    var entries = collection switch
                    {
                        ArrayValue arr => arr.Select(static (v, i) => ((Value)NumberValue.Create(i), v)).ToList(),
                        SetValue set => set.Select(static (v, i) => ((Value)NumberValue.Create(i), v)).ToList(),
                        ObjectValue obj => obj.Sorted.ToArray().Select(static kv => (kv.Key, kv.Value)).ToList(),
                        _ => [],
                    };
                    if (entries.Count == 0)
                    {
                        Execute(r.Else, dot, scope, output, cancellation);
                        break;
                    }

                    foreach (var (key, element) in entries)
                    {
                        if (r.IndexVar is not null)
                        {
                            scope[r.IndexVar] = key;
                        }

                        if (r.ElementVar is not null)
                        {
                            scope[r.ElementVar] = element;
                        }

                        Execute(r.Body, element, scope, output, cancellation);
                    }

                    break;
            }
        }
    }

    private static bool Truthy(Value value) => value switch
    {
        _ when ReferenceEquals(value, Missing) => false,
        NullValue => false,
        BooleanValue b => b.Value,
        NumberValue n => !n.Equals(NumberValue.Zero),
        StringValue s => s.Value.Length > 0,
        ArrayValue a => a.Count > 0,
        ObjectValue o => o.Count > 0,
        SetValue s => s.Count > 0,
        _ => true,
    };

    /// <summary>How Go's fmt prints the decoded JSON value.</summary>
    private static string Print(Value value)
    {
        if (ReferenceEquals(value, Missing))
        {
            return "<no value>";
        }

        return value switch
        {
            NullValue => "<nil>",
            BooleanValue b => b.Value ? "true" : "false",
            NumberValue n => n.ToNumberText(),
            StringValue s => s.Value,
            ArrayValue or SetValue => "[" + string.Join(' ', ((IEnumerable<Value>)value).Select(Print)) + "]",
            ObjectValue o => "map[" + string.Join(' ', o.Sorted.ToArray().Select(static kv => Print(kv.Key) + ":" + Print(kv.Value))) + "]",
            _ => value.ToString(),
        };
    }

    private static Value Evaluate(string pipeline, Value dot, Dictionary<string, Value> scope)
    {
        var words = Split(pipeline);
        if (words.Count == 0)
        {
            throw new BuiltinErrorException("template: template:1: missing value for command");
        }

        if (words.Count == 1)
        {
            return Operand(words[0], dot, scope);
        }

        var args = words.Skip(1).Select(w => Operand(w, dot, scope)).ToList();
        return words[0] switch
        {
            "eq" => Value.From(args.Skip(1).Any(x => Compare(args[0], x) == 0)),
            "ne" => Value.From(Compare(args[0], args[1]) != 0),
            "lt" => Value.From(Compare(args[0], args[1]) < 0),
            "le" => Value.From(Compare(args[0], args[1]) <= 0),
            "gt" => Value.From(Compare(args[0], args[1]) > 0),
            "ge" => Value.From(Compare(args[0], args[1]) >= 0),
            "and" => args.FirstOrDefault(static x => !Truthy(x)) ?? args[^1],
            "or" => args.FirstOrDefault(Truthy) ?? args[^1],
            "not" => Value.From(!Truthy(args[0])),
            "len" => NumberValue.Create(args[0] switch
            {
                StringValue s => System.Text.Encoding.UTF8.GetByteCount(s.Value),
                ArrayValue a => a.Count,
                ObjectValue o => o.Count,
                SetValue s => s.Count,
                _ => throw new BuiltinErrorException("template: len of " + args[0].TypeName),
            }),
            "index" => args.Skip(1).Aggregate(args[0], static (current, key) => Objects.Child(current, key) ?? Missing),
            "print" => Value.From(string.Concat(args.Select(Print))),
            _ => throw new BuiltinErrorException($"template: template:1: function {Strings.GoQuote(words[0])} not defined"),
        };
    }

    private static int Compare(Value a, Value b) => a.CompareTo(b);

    private static List<string> Split(string pipeline)
    {
        var words = new List<string>();
        var i = 0;
        while (i < pipeline.Length)
        {
            if (char.IsWhiteSpace(pipeline[i]))
            {
                i++;
                continue;
            }

            var start = i;
            if (pipeline[i] is '"' or '`')
            {
                var quote = pipeline[i++];
                while (i < pipeline.Length && pipeline[i] != quote)
                {
                    i += pipeline[i] == '\\' && quote == '"' ? 2 : 1;
                }

                i = Math.Min(i + 1, pipeline.Length);
            }
            else
            {
                while (i < pipeline.Length && !char.IsWhiteSpace(pipeline[i]))
                {
                    i++;
                }
            }

            words.Add(pipeline[start..i]);
        }

        return words;
    }

    private static Value Operand(string word, Value dot, Dictionary<string, Value> scope)
    {
        if (word.StartsWith('"') || word.StartsWith('`'))
        {
            return Value.From(word.Length >= 2 ? word[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal) : string.Empty);
        }

        if (word is "true" or "false")
        {
            return Value.From(word == "true");
        }

        if (word == "nil")
        {
            return Value.Null;
        }

        if (NumberValue.Parse(word) is { } number && (char.IsAsciiDigit(word[0]) || word[0] == '-'))
        {
            return number;
        }

        Value current;
        string path;
        if (word.StartsWith('$'))
        {
            var dotIndex = word.IndexOf('.', StringComparison.Ordinal);
            var name = dotIndex < 0 ? word : word[..dotIndex];
            if (!scope.TryGetValue(name, out current!))
            {
                throw new BuiltinErrorException($"template: template:1: undefined variable \"{name}\"");
            }

            path = dotIndex < 0 ? string.Empty : word[dotIndex..];
        }
        else if (word.StartsWith('.'))
        {
            current = dot;
            path = word == "." ? string.Empty : word;
        }
        else
        {
            throw new BuiltinErrorException($"template: template:1: function {Strings.GoQuote(word)} not defined");
        }

        foreach (var field in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current is ObjectValue o)
            {
                current = o[field] ?? Missing;
            }
            else if (ReferenceEquals(current, Missing))
            {
                return Missing;
            }
            else
            {
                throw new BuiltinErrorException($"template: template:1: can't evaluate field {field} in type {current.TypeName}");
            }
        }

        return current;
    }
}
