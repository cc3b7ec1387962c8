using Vigil.Policy.Compilation;
using Vigil.Policy.Values;

namespace Vigil.Policy.Evaluation;

/// <summary>Virtual documents: complete rules, partial sets and objects, defaults, else chains; cached per evaluation.</summary>
internal sealed partial class Evaluator
{
    /// <summary>The value the rules at a node define (null when undefined), cached for the evaluation.</summary>
    private Value? RuleValue(RuleNode node)
    {
        var cached = _cache[node.Id];
        if (cached is not null)
        {
            if (ReferenceEquals(cached, InProgressMarker))
            {
                throw new PolicyEvaluationException(new PolicyError(PolicyErrorCodes.RecursionError, $"rule {node.FullName} is recursive", null));
            }

            return ReferenceEquals(cached, UndefinedMarker) ? null : (Value)cached;
        }

        if (node.IsFunction)
        {
            return null;
        }

        _cache[node.Id] = InProgressMarker;
        var cache = _cache;
        Value? value;
        try
        {
            value = node.Kind switch
            {
                RuleKind.Complete => EvalComplete(node),
                RuleKind.PartialSet => EvalPartialSet(node),
                _ => EvalPartialObject(node),
            };
        }
        catch
        {
            cache[node.Id] = null;
            throw;
        }

        if (node.Children.Count > 0 && node.Kind is not (RuleKind.Function or RuleKind.PartialObject))
        {
            value = MergeChildRules(node, value);
        }

        cache[node.Id] = (object?)value ?? UndefinedMarker;
        return value;
    }

    /// <summary>Rules below a rule node (ref heads such as <c>p.q.r := 1</c> next to <c>p[x] := ...</c>) contribute to its value.</summary>
    private Value? MergeChildRules(RuleNode node, Value? value)
    {
        foreach (var child in node.Children.Values)
        {
            if (child.IsFunction || !child.HasRulesBelow)
            {
                continue;
            }

            var childValue = DocValue(child, null, null);
            if (childValue is null)
            {
                continue;
            }

            if (value is not null and not ObjectValue)
            {
                throw EvalErrors.Conflict(EvalErrors.ObjectKeyConflict, null);
            }

            var dict = value is ObjectValue o ? new Dictionary<Value, Value>(o.Items) : [];
            var key = StringValue.From(child.Name);
            dict[key] = dict.TryGetValue(key, out var existing) ? DeepMerge(existing, childValue) : childValue;
            value = ObjectValue.Wrap(dict);
        }

        return value;
    }

    private static Value DeepMerge(Value a, Value b)
    {
        if (a is ObjectValue ao && b is ObjectValue bo)
        {
            var dict = new Dictionary<Value, Value>(ao.Items);
            foreach (var (k, v) in bo.Items)
            {
                dict[k] = dict.TryGetValue(k, out var e) ? DeepMerge(e, v) : v;
            }

            return ObjectValue.Wrap(dict);
        }

        if (a is SetValue sa && b is SetValue sb)
        {
            var set = new HashSet<Value>(sa.Items);
            set.UnionWith(sb.Items);
            return SetValue.Wrap(set);
        }

        if (!a.Equals(b))
        {
            throw EvalErrors.Conflict(EvalErrors.ObjectKeyConflict, null);
        }

        return a;
    }

    private static readonly object InProgressMarker = new();

    /// <summary>Shared frame for rules without variables: never written.</summary>
    private static readonly Value?[] NoFrame = new Value?[1];

    private Value? EvalComplete(RuleNode node)
    {
        Value? result = null;
        var rules = node.Index is { } index ? index.Lookup(_input) : node.RuleArray;

        foreach (var rule in rules)
        {
            var value = EvalCompleteChain(rule, out var location);
            if (value is null)
            {
                continue;
            }

            if (result is null)
            {
                result = value;
            }
            else if (!result.Equals(value))
            {
                throw EvalErrors.Conflict(EvalErrors.CompleteConflict, Loc(location));
            }
        }

        if (result is null && node.Default is { } d)
        {
            result = EvalGround(d.Value, d.NeedsFrame ? new Value?[Math.Max(1, d.FrameSize)] : NoFrame);
        }

        return result;
    }

    /// <summary>Evaluates a rule and its else chain: the first rule with a solution gives the value.</summary>
    private Value? EvalCompleteChain(Rule rule, out SourceLocation location)
    {
        for (Rule? r = rule; r is not null; r = r.Else)
        {
            var value = EvalRuleBodyValue(r, EvalErrors.CompleteConflict);
            if (value is not null)
            {
                location = r.Location;
                return value;
            }
        }

        location = default;
        return null;
    }

    private Value? EvalRuleBodyValue(Rule r, string conflictMessage)
    {
        Enter(r.Location);
        var frame = r.NeedsFrame ? RentFrame(r.FrameSize) : NoFrame;
        if (r.SimpleBody)
        {
            var holds = true;
            foreach (var e in r.Body)
            {
                Step();
                var v = EvalGround(e.A!, frame);
                var truthy = v is not null && !IsFalse(v);
                if (truthy == e.Negated)
                {
                    holds = false;
                    break;
                }
            }

            var result = holds ? EvalGround(r.Value, frame) : null;
            ReturnFrame(frame);
            Exit();
            return result;
        }

        var value = EvalRuleSolutionsFast(r, frame, conflictMessage);
        ReturnFrame(frame);
        Exit();
        return value;
    }

    private Value? EvalRuleSolutions(Rule r, Value?[] frame, string conflictMessage, int start = 0)
    {
        Value? value = null;
        var constant = r.Value.IsVarFree;
        EvalBody(r.Body, start, frame, () =>
        {
            var v = EvalGround(r.Value, frame);
            if (v is null)
            {
                return false;
            }

            if (value is null)
            {
                value = v;
                return constant;
            }

            if (!value.Equals(v))
            {
                throw EvalErrors.Conflict(conflictMessage, Loc(r.Location));
            }

            return false;
        });
        return value;
    }

    private Value? EvalPartialSet(RuleNode node)
    {
        HashSet<Value>? set = null; // created with the first member: a set that stays empty costs nothing
        foreach (var rule in node.Index is { } index ? index.Lookup(_input) : node.RuleArray)
        {
            Enter(rule.Location);
            var frame = RentFrame(rule.FrameSize);
            var start = EvalGroundPrefix(rule.Body, frame);
            if (start == rule.Body.Length)
            {
                if (EvalGround(rule.Value, frame) is { } member)
                {
                    AddSetMember(set ??= [], member, rule);
                }
            }
            else if (start >= 0)
            {
                AddSetSolutions(set ??= [], rule, frame, start);
            }

            ReturnFrame(frame);
            Exit();
        }

        return set is null ? SetValue.Empty : SetValue.Wrap(set);
    }

    private void AddSetSolutions(HashSet<Value> set, Rule r, Value?[] frame, int start) =>
        EvalBody(r.Body, start, frame, () =>
        {
            if (EvalGround(r.Value, frame) is { } member)
            {
                AddSetMember(set, member, r);
            }

            return false;
        });

    private void AddSetMember(HashSet<Value> set, Value member, Rule r)
    {
        set.Add(member);
        CheckOutput(set.Count, r.Location);
    }

    /// <summary>Builds the object defined by rules with variable keys (<c>p[k] := v</c>, <c>a.b[c].d := v</c>, <c>a[b] contains c</c>).</summary>
    private Value? EvalPartialObject(RuleNode node)
    {
        var root = new ObjectBuilder();
        var any = false;
        foreach (var rule in node.Index is { } index ? index.Lookup(_input) : node.RuleArray)
        {
            Enter(rule.Location);
            var frame = new Value?[rule.FrameSize];
            var r = rule;
            EvalBody(r.Body, 0, frame, () =>
            {
                var keys = new Value[r.Keys.Length];
                for (var i = 0; i < keys.Length; i++)
                {
                    var key = EvalGround(r.Keys[i], frame);
                    if (key is null)
                    {
                        return false;
                    }

                    keys[i] = key;
                }

                var v = EvalGround(r.Value, frame);
                if (v is null)
                {
                    return false;
                }

                root.Insert(keys, v, r.Kind == RuleKind.PartialSet, Loc(r.Location));
                any = true;
                CheckOutput(root.Count, r.Location);
                return false;
            });
            Exit();
        }

        if (node.Children.Count > 0)
        {
            // Rules at deeper static paths (p.q.r := 1 next to p[x] := ...) add to the same object; a path that
            // runs into a value produced by another rule is a conflict.
            foreach (var child in node.Children.Values)
            {
                if (MergeChildNode(root, child))
                {
                    any = true;
                }
            }
        }

        if (!any)
        {
            if (node.Default is { } d)
            {
                return EvalGround(d.Value, d.NeedsFrame ? new Value?[Math.Max(1, d.FrameSize)] : NoFrame);
            }

            return ObjectValue.Empty;
        }

        return root.Build();
    }

    private bool MergeChildNode(ObjectBuilder builder, RuleNode child)
    {
        if (child.IsFunction || !child.HasRulesBelow)
        {
            return false;
        }

        var key = StringValue.From(child.Name);
        if (child.HasRules)
        {
            var value = RuleValue(child);
            if (value is null)
            {
                return false;
            }

            builder.InsertLeaf(key, value);
            return true;
        }

        var sub = builder.Child(key);
        var any = false;
        foreach (var grandchild in child.Children.Values)
        {
            any |= MergeChildNode(sub, grandchild);
        }

        return any;
    }

    /// <summary>Mutable nested object used while collecting the solutions of object-building rules.</summary>
    private sealed class ObjectBuilder
    {
        private readonly Dictionary<Value, object> _entries = [];

        public int Count => _entries.Count;

        public void Insert(Value[] keys, Value value, bool setMember, SourceLocation? location)
        {
            var current = this;
            var last = setMember ? keys.Length : keys.Length - 1;
            for (var i = 0; i < last; i++)
            {
                if (!current._entries.TryGetValue(keys[i], out var next))
                {
                    next = new ObjectBuilder();
                    current._entries[keys[i]] = next;
                }
                else if (next is not ObjectBuilder)
                {
                    throw EvalErrors.Conflict(EvalErrors.ObjectKeyConflict, location);
                }

                current = (ObjectBuilder)next;
            }

            if (setMember)
            {
                current._set ??= [];
                if (current._entries.Count > 0)
                {
                    throw EvalErrors.Conflict(EvalErrors.ObjectKeyConflict, location);
                }

                current._set.Add(value);
                return;
            }

            var leaf = keys[^1];
            if (current._entries.TryGetValue(leaf, out var existing))
            {
                if (existing is Value ev && ev.Equals(value))
                {
                    return;
                }

                throw EvalErrors.Conflict(EvalErrors.ObjectKeyConflict, location);
            }

            current._entries[leaf] = value;
        }

        private HashSet<Value>? _set;

        /// <summary>The nested builder at <paramref name="key"/> (created if absent); a value already there is a conflict.</summary>
        public ObjectBuilder Child(Value key)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                return existing as ObjectBuilder ?? throw EvalErrors.Conflict(EvalErrors.ObjectKeyConflict, null);
            }

            var child = new ObjectBuilder();
            _entries[key] = child;
            return child;
        }

        /// <summary>Adds the value of a rule at a static path below the node.</summary>
        public void InsertLeaf(Value key, Value value)
        {
            if (!_entries.TryGetValue(key, out var existing))
            {
                _entries[key] = value;
                return;
            }

            switch (existing)
            {
                case Value v when v.Equals(value):
                    return;
                case ObjectBuilder { _set: { } set } when value is SetValue members:
                    set.UnionWith(members.Items);
                    return;
                case ObjectBuilder b when value is ObjectValue o && b._set is null:
                    foreach (var (k, v) in o.Items)
                    {
                        b.InsertLeaf(k, v);
                    }

                    return;
                default:
                    throw EvalErrors.Conflict(EvalErrors.ObjectKeyConflict, null);
            }
        }

        public Value Build()
        {
            if (_set is not null)
            {
                return SetValue.Wrap(_set);
            }

            var dict = new Dictionary<Value, Value>(_entries.Count);
            foreach (var (key, entry) in _entries)
            {
                dict[key] = entry is ObjectBuilder b ? b.Build() : (Value)entry;
            }

            return ObjectValue.Wrap(dict);
        }
    }

    // ---------------------------------------------------------------- functions

    /// <summary>Calls a user function with argument values; null when undefined.</summary>
    private Value? CallFunction(RuleNode node, Value[] args, SourceLocation callLocation)
    {
        Value? result = null;
        foreach (var rule in node.RuleArray)
        {
            for (Rule? r = rule; r is not null; r = r.Else)
            {
                var value = _fast && r.PlainArgs && r.Args.Length == args.Length ? EvalFunctionRuleFast(r, args) : EvalFunctionRule(r, args);
                if (value is null)
                {
                    continue;
                }

                if (result is null)
                {
                    result = value;
                }
                else if (!result.Equals(value))
                {
                    throw EvalErrors.Conflict(EvalErrors.FunctionConflict, Loc(r.Location));
                }

                break;
            }
        }

        if (result is null && node.Default is { } d)
        {
            result = EvalGround(d.Value, d.NeedsFrame ? new Value?[Math.Max(1, d.FrameSize)] : NoFrame);
        }

        _ = callLocation;
        return result;
    }

    private Value? EvalFunctionRule(Rule r, Value[] args)
    {
        if (r.Args.Length != args.Length)
        {
            return null;
        }

        Enter(r.Location);
        var frame = new Value?[r.FrameSize];
        Value? value = null;
        BindArgs(r, args, 0, frame, () => EvalBody(r.Body, 0, frame, () => AcceptFunctionValue(r, frame, ref value)));
        Exit();
        return value;
    }

    private bool BindArgs(Rule r, Value[] args, int index, Value?[] frame, Func<bool> k)
    {
        EnsureStack();
        if (index == args.Length)
        {
            return k();
        }

        return UnifyValue(r.Args[index], args[index], frame, () => BindArgs(r, args, index + 1, frame, k));
    }
}
