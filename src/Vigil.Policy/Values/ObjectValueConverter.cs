using System.Collections;
using System.Numerics;
using System.Text.Json;

namespace Vigil.Policy.Values;

/// <summary>Converts plain .NET object graphs into values (for callers that build input in code).</summary>
internal static class ObjectValueConverter
{
    public static Value Convert(object? value) => value switch
    {
        null => Value.Null,
        Value v => v,
        bool b => Value.From(b),
        string s => StringValue.Create(s),
        int i => NumberValue.Create(i),
        long l => NumberValue.Create(l),
        short s => NumberValue.Create(s),
        byte b => NumberValue.Create(b),
        uint u => NumberValue.Create(u),
        ulong u => NumberValue.Create(new BigInteger(u)),
        BigInteger b => NumberValue.Create(b),
        double d => NumberValue.Create(d),
        float f => NumberValue.Create(f),
        decimal m => NumberValue.Parse(m.ToString(System.Globalization.CultureInfo.InvariantCulture)) ?? NumberValue.Create((double)m),
        JsonElement e => JsonValueReader.Parse(e.GetRawText(), JsonValueReader.DefaultMaxDepth),
        IDictionary dictionary => ConvertDictionary(dictionary),
        IEnumerable enumerable => ArrayValue.Wrap([.. enumerable.Cast<object?>().Select(Convert)]),
        _ => throw new ArgumentException($"cannot convert {value.GetType()} to a Rego value", nameof(value)),
    };

    private static ObjectValue ConvertDictionary(IDictionary dictionary)
    {
        var items = new Dictionary<Value, Value>(dictionary.Count);
        foreach (DictionaryEntry entry in dictionary)
        {
            items[Convert(entry.Key)] = Convert(entry.Value);
        }

        return ObjectValue.Wrap(items);
    }
}
