using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>
/// json.verify_schema and json.match_schema: JSON Schema (draft 4/6/7 keywords) with errors shaped
/// like gojsonschema's, which OPA uses ({error, type, field, desc}; root field "(root)").
/// </summary>
internal static class JsonSchema
{
    private const int MaxDepth = 256;
    private const int MaxErrors = 1_000;

    private static readonly string[] PrimitiveTypes = ["array", "boolean", "integer", "number", "null", "object", "string"];

    public static void Register(BuiltinTable table)
    {
        table.Add("json.verify_schema", [T.String | T.Object | T.Boolean], T.Array, static (_, a) =>
        {
            try
            {
                var schema = Load(a[0], 1);
                Check(schema, 0);
                return ArrayValue.Create(Value.True, Value.Null);
            }
            catch (SchemaException e)
            {
                return ArrayValue.Create(Value.False, Value.From("jsonschema: " + e.Message));
            }
        });
        table.Add("json.match_schema", [T.Any, T.String | T.Object | T.Boolean], T.Array, static (c, a) =>
        {
            var document = Load(a[0], 1, allowAny: true);
            Value schema;
            try
            {
                schema = Load(a[1], 2);
                Check(schema, 0);
            }
            catch (SchemaException e)
            {
                throw new BuiltinErrorException(e.Message);
            }

            var errors = new List<Value>();
            var validator = new Validator(schema, errors, c.CancellationToken);
            validator.Validate(schema, document, "(root)", 0);
            return ArrayValue.Create(Value.From(errors.Count == 0), ArrayValue.Create(errors));
        });
    }

    private sealed class SchemaException(string message) : Exception(message);

    private static Value Load(Value value, int operand, bool allowAny = false)
    {
        if (value is StringValue s)
        {
            try
            {
                return Value.FromJson(s.Value);
            }
            catch (ValueParseException e)
            {
                throw new BuiltinErrorException(e.Message, e);
            }
        }

        if (allowAny || value is ObjectValue or BooleanValue)
        {
            return value;
        }

        throw new BuiltinTypeException(operand, "one of {string, object, boolean}", value);
    }

    /// <summary>Structural checks of the schema itself (gojsonschema's messages for the common ones).</summary>
    private static void Check(Value schema, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new SchemaException("schema is nested too deeply");
        }

        if (schema is BooleanValue)
        {
            return;
        }

        if (schema is not ObjectValue o)
        {
            throw new SchemaException("Invalid type. Expected: object, given: " + TypeOf(schema));
        }

        if (o["type"] is { } type)
        {
            List<Value> names = type switch
            {
                StringValue ts => [ts],
                ArrayValue ta => [.. ta],
                _ => throw new SchemaException("type must be of type string or array"),
            };
            foreach (var name in names)
            {
                if (name is not StringValue ns || !PrimitiveTypes.Contains(ns.Value))
                {
                    throw new SchemaException($"has a primitive type that is NOT VALID -- given: /{(name is StringValue x ? x.Value : name.ToString())}/ Expected valid values are:[{string.Join(' ', PrimitiveTypes)}]");
                }
            }
        }

        foreach (var key in (string[])["properties", "patternProperties", "definitions", "$defs", "dependencies"])
        {
            if (o[key] is { } map)
            {
                if (map is not ObjectValue mo)
                {
                    throw new SchemaException($"{key} must be of an object");
                }

                foreach (var (_, sub) in mo.Items)
                {
                    if (key != "dependencies" || sub is ObjectValue or BooleanValue)
                    {
                        Check(sub, depth + 1);
                    }
                }
            }
        }

        foreach (var key in (string[])["additionalProperties", "additionalItems", "not", "contains", "propertyNames", "if", "then", "else"])
        {
            if (o[key] is { } sub && sub is ObjectValue or BooleanValue)
            {
                Check(sub, depth + 1);
            }
            else if (o[key] is { } bad && key is not ("additionalProperties" or "additionalItems"))
            {
                throw new SchemaException($"{key} must be of an object");
            }
        }

        if (o["items"] is { } items)
        {
            foreach (var sub in items is ArrayValue ia ? ia.ToArray() : [items])
            {
                Check(sub, depth + 1);
            }
        }

        foreach (var key in (string[])["allOf", "anyOf", "oneOf"])
        {
            if (o[key] is { } list)
            {
                if (list is not ArrayValue la || la.Count == 0)
                {
                    throw new SchemaException($"{key} must be of an array");
                }

                foreach (var sub in la)
                {
                    Check(sub, depth + 1);
                }
            }
        }

        if (o["required"] is { } required && (required is not ArrayValue ra || ra.Any(static x => x is not StringValue)))
        {
            throw new SchemaException("required must be of an array of strings");
        }

        if (o["pattern"] is { } pattern && (pattern is not StringValue ps || !RegexBuiltins.TryCompile(ps.Value, out _, out _)))
        {
            throw new SchemaException("Invalid regex pattern");
        }
    }

    private static string TypeOf(Value value) => value switch
    {
        NullValue => "null",
        BooleanValue => "boolean",
        NumberValue n => n.IsInteger ? "integer" : "number",
        StringValue => "string",
        ArrayValue or SetValue => "array",
        ObjectValue => "object",
        _ => "unknown",
    };

    private sealed class Validator(Value root, List<Value> errors, CancellationToken cancellation)
    {
        private int _steps;

        private void Error(string type, string field, string description)
        {
            if (errors.Count >= MaxErrors)
            {
                return;
            }

            errors.Add(ObjectValue.Create(
            [
                new KeyValuePair<string, Value>("error", Value.From(field + ": " + description)),
                new KeyValuePair<string, Value>("type", Value.From(type)),
                new KeyValuePair<string, Value>("field", Value.From(field)),
                new KeyValuePair<string, Value>("desc", Value.From(description)),
            ]));
        }

        private bool Passes(Value schema, Value document, string field, int depth)
        {
            var probe = new List<Value>();
            new Validator(root, probe, cancellation).Validate(schema, document, field, depth);
            return probe.Count == 0;
        }

        private static string Child(string field, string name) => field == "(root)" ? name : field + "." + name;

        public void Validate(Value schema, Value document, string field, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new BuiltinErrorException("json schema validation is nested too deeply");
            }

            if ((++_steps & 0x3FF) == 0)
            {
                cancellation.ThrowIfCancellationRequested();
            }

            if (schema is BooleanValue b)
            {
                if (!b.Value)
                {
                    Error("false", field, "False always fails validation");
                }

                return;
            }

            if (schema is not ObjectValue s)
            {
                return;
            }

            if (s["$ref"] is StringValue reference)
            {
                Validate(Resolve(reference.Value), document, field, depth + 1);
                return;
            }

            if (s["type"] is { } type)
            {
                var allowed = type is ArrayValue ta ? ta.OfType<StringValue>().Select(static x => x.Value).ToList() : [((StringValue)type).Value];
                var actual = TypeOf(document);
                if (!allowed.Contains(actual) && !(actual == "integer" && allowed.Contains("number")))
                {
                    Error("invalid_type", field, $"Invalid type. Expected: {string.Join(", ", allowed)}, given: {actual}");
                    return;
                }
            }

            if (s["enum"] is ArrayValue options && !options.Any(document.Equals))
            {
                Error("enum", field, $"{field} must be one of the following: {string.Join(", ", options.Select(static x => x.ToJson()))}");
            }

            if (s["const"] is { } constant && !constant.Equals(document))
            {
                Error("const", field, $"{field} does not match: {constant.ToJson()}");
            }

            switch (document)
            {
                case NumberValue n:
                    ValidateNumber(s, n, field);
                    break;
                case StringValue str:
                    ValidateString(s, str.Value, field);
                    break;
                case ArrayValue arr:
                    ValidateArray(s, arr, field, depth);
                    break;
                case ObjectValue obj:
                    ValidateObject(s, obj, field, depth);
                    break;
            }

            if (s["allOf"] is ArrayValue all && !all.All(x => Passes(x, document, field, depth + 1)))
            {
                foreach (var sub in all)
                {
                    Validate(sub, document, field, depth + 1);
                }

                Error("number_all_of", field, "Must validate all the schemas (allOf)");
            }

            if (s["anyOf"] is ArrayValue any && !any.Any(x => Passes(x, document, field, depth + 1)))
            {
                Error("number_any_of", field, "Must validate at least one schema (anyOf)");
            }

            if (s["oneOf"] is ArrayValue one && one.Count(x => Passes(x, document, field, depth + 1)) != 1)
            {
                Error("number_one_of", field, "Must validate one and only one schema (oneOf)");
            }

            if (s["not"] is { } not && Passes(not, document, field, depth + 1))
            {
                Error("number_not", field, "Must not validate the schema (not)");
            }

            if (s["if"] is { } condition)
            {
                var branch = Passes(condition, document, field, depth + 1) ? s["then"] : s["else"];
                if (branch is not null)
                {
                    Validate(branch, document, field, depth + 1);
                }
            }
        }

        private Value Resolve(string reference)
        {
            if (reference == "#")
            {
                return root;
            }

            if (!reference.StartsWith("#/", StringComparison.Ordinal))
            {
                throw new BuiltinErrorException($"json schema reference {Strings.GoQuote(reference)} is not supported (only local references)");
            }

            Value current = root;
            foreach (var part in reference[2..].Split('/'))
            {
                var name = Uri.UnescapeDataString(part).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                current = Objects.Child(current, current is ArrayValue && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? NumberValue.Create(i) : Value.From(name))
                    ?? throw new BuiltinErrorException($"json schema reference {Strings.GoQuote(reference)} not found");
            }

            return current;
        }

        private static string Text(NumberValue n) => n.ToNumberText();

        private void ValidateNumber(ObjectValue s, NumberValue n, string field)
        {
            if (s["multipleOf"] is NumberValue m && !m.Equals(NumberValue.Zero))
            {
                var q = Arithmetic.Divide(n, m);
                if (!q.IsInteger)
                {
                    Error("multiple_of", field, $"Must be a multiple of {Text(m)}");
                }
            }

            var exclusiveMinimumFlag = s["exclusiveMinimum"] is BooleanValue { Value: true };
            var exclusiveMaximumFlag = s["exclusiveMaximum"] is BooleanValue { Value: true };
            if (s["minimum"] is NumberValue min)
            {
                if (exclusiveMinimumFlag ? n.CompareTo(min) <= 0 : n.CompareTo(min) < 0)
                {
                    Error(exclusiveMinimumFlag ? "number_gt" : "number_gte", field, exclusiveMinimumFlag ? $"Must be greater than {Text(min)}" : $"Must be greater than or equal to {Text(min)}");
                }
            }

            if (s["maximum"] is NumberValue max)
            {
                if (exclusiveMaximumFlag ? n.CompareTo(max) >= 0 : n.CompareTo(max) > 0)
                {
                    Error(exclusiveMaximumFlag ? "number_lt" : "number_lte", field, exclusiveMaximumFlag ? $"Must be less than {Text(max)}" : $"Must be less than or equal to {Text(max)}");
                }
            }

            if (s["exclusiveMinimum"] is NumberValue emin && n.CompareTo(emin) <= 0)
            {
                Error("number_gt", field, $"Must be greater than {Text(emin)}");
            }

            if (s["exclusiveMaximum"] is NumberValue emax && n.CompareTo(emax) >= 0)
            {
                Error("number_lt", field, $"Must be less than {Text(emax)}");
            }
        }

        private void ValidateString(ObjectValue s, string value, string field)
        {
            var length = Strings.RuneCount(value);
            if (s["minLength"] is NumberValue min && min.TryGetInt64(out var minLength) && length < minLength)
            {
                Error("string_gte", field, $"String length must be greater than or equal to {minLength}");
            }

            if (s["maxLength"] is NumberValue max && max.TryGetInt64(out var maxLength) && length > maxLength)
            {
                Error("string_lte", field, $"String length must be less than or equal to {maxLength}");
            }

            if (s["pattern"] is StringValue pattern)
            {
                var regex = RegexBuiltins.Compile(pattern.Value);
                bool matched;
                try
                {
                    matched = regex.IsMatch(value);
                }
                catch (RegexMatchTimeoutException)
                {
                    throw new BuiltinErrorException("regular expression match timed out");
                }

                if (!matched)
                {
                    Error("pattern", field, $"Does not match pattern '{pattern.Value}'");
                }
            }
        }

        private void ValidateArray(ObjectValue s, ArrayValue array, string field, int depth)
        {
            if (s["minItems"] is NumberValue min && min.TryGetInt64(out var minItems) && array.Count < minItems)
            {
                Error("array_min_items", field, $"Array must have at least {minItems} items");
            }

            if (s["maxItems"] is NumberValue max && max.TryGetInt64(out var maxItems) && array.Count > maxItems)
            {
                Error("array_max_items", field, $"Array must have at most {maxItems} items");
            }

            if (s["uniqueItems"] is BooleanValue { Value: true })
            {
                var seen = new Dictionary<Value, int>();
                for (var i = 0; i < array.Count; i++)
                {
                    if (seen.TryGetValue(array[i], out var first))
                    {
                        Error("unique", field, $"array items[{first},{i}] must be unique");
                        break;
                    }

                    seen[array[i]] = i;
                }
            }

            switch (s["items"])
            {
                case ArrayValue tuple:
                    for (var i = 0; i < array.Count; i++)
                    {
                        if (i < tuple.Count)
                        {
                            Validate(tuple[i], array[i], Child(field, i.ToString(CultureInfo.InvariantCulture)), depth + 1);
                        }
                        else if (s["additionalItems"] is BooleanValue { Value: false })
                        {
                            Error("array_no_additional_items", field, "No additional items allowed on array");
                            break;
                        }
                        else if (s["additionalItems"] is ObjectValue additional)
                        {
                            Validate(additional, array[i], Child(field, i.ToString(CultureInfo.InvariantCulture)), depth + 1);
                        }
                    }

                    break;
                case { } items:
                    for (var i = 0; i < array.Count; i++)
                    {
                        Validate(items, array[i], Child(field, i.ToString(CultureInfo.InvariantCulture)), depth + 1);
                    }

                    break;
            }

            if (s["contains"] is { } contains && !array.Any(x => Passes(contains, x, field, depth + 1)))
            {
                Error("contains", field, "At least one of the items must match");
            }
        }

        private void ValidateObject(ObjectValue s, ObjectValue obj, string field, int depth)
        {
            if (s["required"] is ArrayValue required)
            {
                foreach (var name in required.OfType<StringValue>())
                {
                    if (!obj.ContainsKey(name))
                    {
                        Error("required", field, $"{name.Value} is required");
                    }
                }
            }

            if (s["minProperties"] is NumberValue min && min.TryGetInt64(out var minProperties) && obj.Count < minProperties)
            {
                Error("array_min_properties", field, $"Must have at least {minProperties} properties");
            }

            if (s["maxProperties"] is NumberValue max && max.TryGetInt64(out var maxProperties) && obj.Count > maxProperties)
            {
                Error("array_max_properties", field, $"Must have at most {maxProperties} properties");
            }

            var properties = s["properties"] as ObjectValue;
            var patternProperties = s["patternProperties"] as ObjectValue;
            foreach (var (key, value) in obj.Sorted.ToArray())
            {
                var name = key is StringValue ks ? ks.Value : key.ToString();
                var matched = false;
                if (properties is not null && properties.TryGetValue(key, out var propertySchema))
                {
                    matched = true;
                    Validate(propertySchema, value, Child(field, name), depth + 1);
                }

                if (patternProperties is not null)
                {
                    foreach (var (pattern, patternSchema) in patternProperties.Items)
                    {
                        if (pattern is StringValue ps && RegexBuiltins.Compile(ps.Value).IsMatch(name))
                        {
                            matched = true;
                            Validate(patternSchema, value, Child(field, name), depth + 1);
                        }
                    }
                }

                if (!matched)
                {
                    switch (s["additionalProperties"])
                    {
                        case BooleanValue { Value: false }:
                            Error("additional_property_not_allowed", field, $"Additional property {name} is not allowed");
                            break;
                        case ObjectValue additional:
                            Validate(additional, value, Child(field, name), depth + 1);
                            break;
                    }
                }

                if (s["propertyNames"] is { } names && !Passes(names, key, field, depth + 1))
                {
                    Error("invalid_property_name", field, $"Property \"{name}\" does not match the schema");
                }
            }

            if (s["dependencies"] is ObjectValue dependencies)
            {
                foreach (var (key, dependency) in dependencies.Items)
                {
                    if (!obj.ContainsKey(key))
                    {
                        continue;
                    }

                    if (dependency is ArrayValue names)
                    {
                        foreach (var needed in names.OfType<StringValue>())
                        {
                            if (!obj.ContainsKey(needed))
                            {
                                Error("missing_dependency", field, $"Has a dependency on {needed.Value}");
                            }
                        }
                    }
                    else
                    {
                        Validate(dependency, obj, field, depth + 1);
                    }
                }
            }
        }
    }
}
