using Vigil.Policy.Compilation;
using Vigil.Policy.Values;

namespace Vigil.Policy.Evaluation;

/// <summary>References: walking input, local values and the data tree (base documents overlaid with virtual documents).</summary>
internal sealed partial class Evaluator
{
    // ---------------------------------------------------------------- ground refs

    private Value? EvalRefGround(RefTerm r, Value?[] f)
    {
        switch (r.Root)
        {
            case RefRoot.Input:
                return _input is null ? null : DerefGround(_input, r.Operands, 0, f);
            case RefRoot.Term:
                {
                    var head = EvalGround(r.Head!, f);
                    return head is null ? null : DerefGround(head, r.Operands, 0, f);
                }

            default:
                return EvalDataRefGround(r, f);
        }
    }

    private Value? DerefGround(Value current, Term[] ops, int pos, Value?[] f, bool data = false)
    {
        for (var i = pos; i < ops.Length; i++)
        {
            var key = ops[i] is ConstTerm c ? c.Value : EvalGround(ops[i], f);
            if (key is null)
            {
                return null;
            }

            var next = data ? SelectData(current, key) : Select(current, key);
            if (next is null)
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    /// <summary>One dereference step: object key, array index or set member.</summary>
    private static Value? Select(Value collection, Value key)
    {
        switch (collection)
        {
            case ObjectValue o:
                return o.TryGetValue(key, out var v) ? v : null;
            case ArrayValue a:
                if (key is NumberValue n && n.TryGetInt64(out var index) && n.IsInteger && index >= 0 && index < a.Count)
                {
                    return a[(int)index];
                }

                return null;
            case SetValue s:
                return s.Contains(key) ? key : null;
            default:
                return null;
        }
    }

    /// <summary>Like <see cref="Select"/>, but a number key also finds the string key with its text (as OPA's storage paths do).</summary>
    private static Value? SelectData(Value collection, Value key) =>
        Select(collection, key) ?? (key is NumberValue n && collection is ObjectValue o ? Select(o, StringValue.From(n.ToNumberText())) : null);

    private Value? EvalDataRefGround(RefTerm r, Value?[] f)
    {
        RuleNode? node = _program.Root;
        Value? baseData = _program.Data;
        var overrides = _dataOverrides;
        var ops = r.Operands;
        var start = 0;
        if (overrides is null && _fast)
        {
            var prefix = StaticDataPrefix(r);
            if (prefix.Undefined)
            {
                return null;
            }

            (node, baseData, start) = (prefix.Node, prefix.BaseData, prefix.Position);
        }

        for (var i = start; i < ops.Length; i++)
        {
            if (overrides?.Value is { } ov)
            {
                return DerefGround(ov, ops, i, f);
            }

            if (node is null || node.HasRules)
            {
                var doc = DocValue(node, baseData, overrides);
                return doc is null ? null : DerefGround(doc, ops, i, f, data: true);
            }

            var key = ops[i] is ConstTerm c ? c.Value : EvalGround(ops[i], f);
            if (key is null)
            {
                return null;
            }

            if (key is not StringValue s)
            {
                // Rule paths are strings: a non-string key can only select base data.
                baseData = baseData is null ? null : SelectData(baseData, key);
                node = null;
                overrides = null;
                continue;
            }

            node = node.Children.GetValueOrDefault(s.Value);
            baseData = baseData is null ? null : SelectData(baseData, key);
            overrides = overrides?.Children?.GetValueOrDefault(s.Value);
            if (node is null && baseData is null && overrides is null)
            {
                return null;
            }
        }

        if (overrides?.Value is { } last)
        {
            return last;
        }

        return DocValue(node, baseData, overrides);
    }

    // ---------------------------------------------------------------- enumerating refs

    private bool EvalRef(RefTerm r, Value?[] f, Func<Value, bool> k)
    {
        switch (r.Root)
        {
            case RefRoot.Input:
                return _input is not null && Deref(_input, r.Operands, 0, f, k);
            case RefRoot.Term:
                return EvalTerm(r.Head!, f, head => Deref(head, r.Operands, 0, f, k));
            default:
                return EvalDataRef(r.Operands, 0, _program.Root, _program.Data, _dataOverrides, f, k);
        }
    }

    private bool Deref(Value current, Term[] ops, int pos, Value?[] f, Func<Value, bool> k, bool data = false)
    {
        while (pos < ops.Length)
        {
            var op = ops[pos];
            if (op.IsVarFree || IsGround(op, f))
            {
                var key = EvalGround(op, f);
                if (key is null)
                {
                    return false;
                }

                var next = data ? SelectData(current, key) : Select(current, key);
                if (next is null)
                {
                    return false;
                }

                current = next;
                pos++;
                continue;
            }

            // An unbound operand: iterate the collection.
            return DerefIterate(current, op, ops, pos, f, k, data);
        }

        return k(current);
    }

    private bool DerefIterate(Value current, Term op, Term[] ops, int pos, Value?[] f, Func<Value, bool> k, bool data)
    {
        _ = data;
        var nextPos = pos + 1;
        switch (current)
        {
            case ObjectValue o:
                foreach (var (key, value) in o.Sorted)
                {
                    Step();
                    if (UnifyValue(op, key, f, () => Deref(value, ops, nextPos, f, k)))
                    {
                        return true;
                    }
                }

                return false;
            case ArrayValue a:
                for (var i = 0; i < a.Count; i++)
                {
                    Step();
                    var item = a[i];
                    if (UnifyValue(op, NumberValue.Create(i), f, () => Deref(item, ops, nextPos, f, k)))
                    {
                        return true;
                    }
                }

                return false;
            case SetValue s:
                foreach (var member in s.Sorted)
                {
                    Step();
                    if (UnifyValue(op, member, f, () => Deref(member, ops, nextPos, f, k)))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    private bool EvalDataRef(Term[] ops, int pos, RuleNode? node, Value? baseData, OverrideNode? overrides, Value?[] f, Func<Value, bool> k)
    {
        while (true)
        {
            if (overrides?.Value is { } ov)
            {
                return Deref(ov, ops, pos, f, k);
            }

            if (node is null || node.HasRules || pos == ops.Length)
            {
                var doc = DocValue(node, baseData, overrides);
                return doc is not null && Deref(doc, ops, pos, f, k, data: true);
            }

            var op = ops[pos];
            if (op.IsVarFree || IsGround(op, f))
            {
                var key = EvalGround(op, f);
                if (key is null)
                {
                    return false;
                }

                baseData = baseData is null ? null : SelectData(baseData, key);
                if (key is StringValue s)
                {
                    node = node.Children.GetValueOrDefault(s.Value);
                    overrides = overrides?.Children?.GetValueOrDefault(s.Value);
                }
                else
                {
                    node = null;
                    overrides = null;
                }

                if (node is null && baseData is null && overrides is null)
                {
                    return false;
                }

                pos++;
                continue;
            }

            return EvalDataRefEnumerate(op, ops, pos, node, baseData, overrides, f, k);
        }
    }

    private bool EvalDataRefEnumerate(Term op, Term[] ops, int pos, RuleNode node, Value? baseData, OverrideNode? overrides, Value?[] f, Func<Value, bool> k)
    {
        // Enumerate the keys of this namespace: child nodes, base data keys and overridden keys.
        var keys = new SortedSet<Value>();
        foreach (var child in node.Children.Values)
        {
            if (!child.IsFunction)
            {
                keys.Add(StringValue.From(child.Name));
            }
        }

        if (baseData is ObjectValue obj)
        {
            foreach (var (key, _) in obj.Sorted)
            {
                keys.Add(key);
            }
        }

        if (overrides?.Children is { } oc)
        {
            foreach (var name in oc.Keys)
            {
                keys.Add(StringValue.From(name));
            }
        }

        var nextPos = pos + 1;
        var here = node;
        var hereData = baseData;
        var hereOverrides = overrides;
        foreach (var key in keys)
        {
            Step();
            RuleNode? childNode = null;
            OverrideNode? childOverride = null;
            if (key is StringValue s)
            {
                childNode = here.Children.GetValueOrDefault(s.Value);
                childOverride = hereOverrides?.Children?.GetValueOrDefault(s.Value);
            }

            var childData = hereData is null ? null : Select(hereData, key);
            if (UnifyValue(op, key, f, () => EvalDataRef(ops, nextPos, childNode, childData, childOverride, f, k)))
            {
                return true;
            }
        }

        return false;
    }

    // ---------------------------------------------------------------- documents

    /// <summary>The full value of the document at a node: base data overlaid with virtual documents and overrides.</summary>
    private Value? DocValue(RuleNode? node, Value? baseData, OverrideNode? overrides)
    {
        if (overrides?.Value is { } ov)
        {
            return ov;
        }

        Value? value;
        if (node is null)
        {
            value = baseData;
        }
        else if (overrides is null)
        {
            value = NodeValue(node, baseData);
        }
        else
        {
            value = node.HasRules ? RuleValue(node) : NamespaceValue(node, baseData, overrides);
        }

        if (overrides?.Children is { } children && (node is null || node.HasRules))
        {
            value = ApplyOverrides(value, children);
        }

        return value;
    }

    private static Value? ApplyOverrides(Value? value, Dictionary<string, OverrideNode> children)
    {
        var dict = value is ObjectValue o ? new Dictionary<Value, Value>(o.Items) : [];
        foreach (var (name, child) in children)
        {
            var key = StringValue.From(name);
            var current = dict.GetValueOrDefault(key);
            var replaced = child.Value ?? (child.Children is null ? current : ApplyOverrides(current, child.Children));
            if (replaced is not null)
            {
                dict[key] = replaced;
            }
        }

        return ObjectValue.Wrap(dict);
    }

    /// <summary>Value of a node without overrides, cached for the evaluation.</summary>
    private Value? NodeValue(RuleNode node, Value? baseData)
    {
        if (node.HasRules)
        {
            return RuleValue(node);
        }

        var cached = _cache[node.Id];
        if (cached is not null)
        {
            return ReferenceEquals(cached, UndefinedMarker) ? null : (Value)cached;
        }

        var value = NamespaceValue(node, baseData, null);
        _cache[node.Id] = (object?)value ?? UndefinedMarker;
        return value;
    }

    private Value? NamespaceValue(RuleNode node, Value? baseData, OverrideNode? overrides)
    {
        Dictionary<Value, Value> dict;
        if (baseData is ObjectValue o)
        {
            dict = new Dictionary<Value, Value>(o.Items);
        }
        else if (baseData is not null)
        {
            return baseData;
        }
        else
        {
            dict = [];
        }

        foreach (var child in node.Children.Values)
        {
            if (child.IsFunction)
            {
                continue;
            }

            var key = StringValue.From(child.Name);
            var childData = dict.GetValueOrDefault(key);
            var childOverride = overrides?.Children?.GetValueOrDefault(child.Name);
            var value = DocValue(child, childData, childOverride);
            if (value is null)
            {
                if (childData is not null && child.HasRules)
                {
                    dict.Remove(key);
                }

                continue;
            }

            if (childData is ObjectValue co && value is ObjectValue vo && child.HasRules)
            {
                value = MergeObjects(co, vo, child);
            }
            else if (childData is not null and not ObjectValue && child.HasRules)
            {
                // Base data and a rule at the same path: OPA keeps the base document.
                value = childData;
            }

            dict[key] = value;
        }

        if (overrides?.Children is { } oc)
        {
            foreach (var (name, child) in oc)
            {
                if (node.Children.ContainsKey(name))
                {
                    continue;
                }

                var key = StringValue.From(name);
                var current = dict.GetValueOrDefault(key);
                var replaced = child.Value ?? (child.Children is null ? current : ApplyOverrides(current, child.Children));
                if (replaced is not null)
                {
                    dict[key] = replaced;
                }
            }
        }

        return ObjectValue.Wrap(dict);
    }

    private static Value MergeObjects(ObjectValue a, ObjectValue b, RuleNode node)
    {
        var dict = new Dictionary<Value, Value>(a.Items);
        foreach (var (key, value) in b.Items)
        {
            if (dict.TryGetValue(key, out var existing))
            {
                if (existing is ObjectValue eo && value is ObjectValue vo)
                {
                    dict[key] = MergeObjects(eo, vo, node);
                    continue;
                }

                if (!existing.Equals(value))
                {
                    throw EvalErrors.Conflict(EvalErrors.ObjectKeyConflict, null);
                }
            }

            dict[key] = value;
        }

        return ObjectValue.Wrap(dict);
    }
}

/// <summary>A node of the active <c>with data...</c> overrides.</summary>
internal sealed class OverrideNode
{
    public Value? Value { get; set; }

    public Dictionary<string, OverrideNode>? Children { get; set; }

    public OverrideNode Clone()
    {
        var clone = new OverrideNode { Value = Value };
        if (Children is not null)
        {
            clone.Children = new Dictionary<string, OverrideNode>(StringComparer.Ordinal);
            foreach (var (k, v) in Children)
            {
                clone.Children[k] = v.Clone();
            }
        }

        return clone;
    }
}

/// <summary>An active <c>with f as ...</c> replacement.</summary>
internal sealed class FunctionOverride
{
    public Value? Value { get; init; }

    public CallTerm? Function { get; init; }

    public Builtins.BuiltinDefinition? Builtin { get; init; }

    public string? BuiltinName { get; init; }
}
