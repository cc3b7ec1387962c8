using System.CommandLine;
using System.Text;
using System.Text.Json;
using Vigil.Policy;
using Vigil.Policy.Loading;
using Vigil.Policy.Values;

namespace Vigil.Cli.Policy;

/// <summary><c>vigil policy eval</c>: like <c>opa eval</c>.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var data = new Option<string[]>("--data", "-d")
        {
            Description = "Policy (.rego) or data (.json/.yaml) file or directory; repeatable.",
            AllowMultipleArgumentsPerToken = true,
        };
        var input = new Option<FileInfo?>("--input", "-i") { Description = "Input document (JSON or YAML file)." };
        var format = new Option<string>("--format", "-f")
        {
            Description = "Output format: json (like opa eval) or pretty.",
            DefaultValueFactory = _ => "json",
        };
        format.AcceptOnlyFromAmong("json", "pretty");
        var timeout = new Option<TimeSpan?>("--timeout") { Description = "Evaluation deadline, e.g. 00:00:05." };
        var strict = new Option<bool>("--strict-builtin-errors") { Description = "Treat builtin errors as fatal." };
        var fail = new Option<bool>("--fail") { Description = "Exit 1 when the result is undefined." };
        var version = PolicyCommand.RegoVersionOption();
        var query = new Argument<string>("query") { Description = "The Rego query, e.g. data.authz.allow" };

        var command = new Command("eval", "Evaluate a Rego query against policies, data and an input.")
        {
            data, input, format, timeout, strict, fail, version, query,
        };
        command.SetAction(parse =>
        {
            try
            {
                var bundle = PolicyLoader.Load(parse.GetValue(data) ?? []);
                var policy = bundle.CreateEngine(new PolicyOptions { RegoVersion = parse.GetValue(version) }).Compile();
                var inputValue = ReadInput(parse.GetValue(input));
                var result = policy.Evaluate(parse.GetRequiredValue(query), inputValue, new EvaluationOptions
                {
                    Timeout = parse.GetValue(timeout),
                    StrictBuiltinErrors = parse.GetValue(strict),
                    Print = Console.Error.WriteLine,
                });
                Console.Out.WriteLine(parse.GetValue(format) == "pretty" ? FormatPretty(result) : FormatJson(result, parse.GetRequiredValue(query)));
                return parse.GetValue(fail) && result.IsUndefined ? 1 : 0;
            }
            catch (PolicyException ex)
            {
                return PolicyCommand.ReportErrors(ex, Console.Error);
            }
            catch (ValueParseException ex)
            {
                Console.Error.WriteLine($"input: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    private static Value? ReadInput(FileInfo? file)
    {
        if (file is null)
        {
            return null;
        }

        if (!file.Exists)
        {
            throw new ValueParseException($"{file.FullName}: no such file");
        }

        var text = File.ReadAllText(file.FullName);
        return file.Extension is ".yaml" or ".yml" ? Value.FromYaml(text) : Value.FromJson(text);
    }

    /// <summary>The JSON shape of <c>opa eval</c>: <c>{"result":[{"expressions":[...],"bindings":{...}}]}</c>; <c>{}</c> when undefined.</summary>
    internal static string FormatJson(QueryResult result, string query)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (!result.IsUndefined)
            {
                writer.WriteStartArray("result");
                foreach (var row in result)
                {
                    writer.WriteStartObject();
                    writer.WriteStartArray("expressions");
                    foreach (var expression in row.Expressions)
                    {
                        writer.WriteStartObject();
                        writer.WritePropertyName("value");
                        expression.WriteJson(writer);
                        if (row.Expressions.Count == 1)
                        {
                            writer.WriteString("text", query);
                        }

                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                    if (row.Bindings.Count > 0)
                    {
                        writer.WriteStartObject("bindings");
                        foreach (var (name, value) in row.Bindings.OrderBy(b => b.Key, StringComparer.Ordinal))
                        {
                            writer.WritePropertyName(name);
                            value.WriteJson(writer);
                        }

                        writer.WriteEndObject();
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Human output: the value for a single expression without variables, otherwise one line per row of bindings.</summary>
    internal static string FormatPretty(QueryResult result)
    {
        if (result.IsUndefined)
        {
            return "undefined";
        }

        if (result.Count == 1 && result[0].Bindings.Count == 0 && result[0].Expressions.Count == 1)
        {
            return result[0].Expressions[0].ToJson(indented: true);
        }

        var builder = new StringBuilder();
        foreach (var row in result)
        {
            builder.AppendLine(string.Join("  ", row.Bindings.OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => $"{b.Key}={b.Value.ToJson()}")));
        }

        builder.Append(result.Count == 1 ? "1 row" : $"{result.Count} rows");
        return builder.ToString();
    }
}
