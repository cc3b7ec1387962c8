using System.Collections.Frozen;

namespace Vigil.Policy.Builtins;

/// <summary>The table of builtins by name. <see cref="Default"/> holds every builtin Vigil ships.</summary>
public sealed class BuiltinTable
{
    private static readonly Lazy<BuiltinTable> DefaultTable = new(CreateDefault);

    private readonly Dictionary<string, BuiltinDefinition> _entries = new(StringComparer.Ordinal);
    private FrozenDictionary<string, BuiltinDefinition>? _frozen;

    /// <summary>All standard builtins.</summary>
    public static BuiltinTable Default => DefaultTable.Value;

    public IEnumerable<BuiltinDefinition> All => _entries.Values;

    public void Add(string name, ValueTypes[] parameters, ValueTypes result, BuiltinFunction function, bool nondeterministic = false) =>
        Add(new BuiltinDefinition(name, parameters, result, function, null, nondeterministic));

    public void AddRelation(string name, ValueTypes[] parameters, ValueTypes result, BuiltinRelation relation) =>
        Add(new BuiltinDefinition(name, parameters, result, null, relation, false));

    private void Add(BuiltinDefinition definition)
    {
        if (_frozen is not null)
        {
            throw new InvalidOperationException("the builtin table is frozen");
        }

        if (!_entries.TryAdd(definition.Name, definition))
        {
            throw new InvalidOperationException($"builtin '{definition.Name}' is registered twice");
        }
    }

    public bool TryGet(string name, out BuiltinDefinition definition)
    {
        var frozen = _frozen;
        if (frozen is not null)
        {
            return frozen.TryGetValue(name, out definition!);
        }

        return _entries.TryGetValue(name, out definition!);
    }

    public bool Contains(string name) => TryGet(name, out _);

    /// <summary>Makes the table read-only and fast to look up.</summary>
    public BuiltinTable Freeze()
    {
        _frozen ??= _entries.ToFrozenDictionary(StringComparer.Ordinal);
        return this;
    }

    private static BuiltinTable CreateDefault()
    {
        var table = new BuiltinTable();
        StandardBuiltins.RegisterAll(table);
        return table.Freeze();
    }
}
