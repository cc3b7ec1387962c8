using Vigil.Policy.Syntax.Ast;
using Vigil.Policy.Values;

namespace Vigil.Policy.Syntax;

/// <summary>Converts ground terms (scalars and collections of them) into values.</summary>
internal static class TermValues
{
    /// <summary>The value of a ground term, or null (with the first non-ground sub-term) when it contains vars, refs, calls or comprehensions.</summary>
    public static Value? ToValue(Term term, out Term? offending)
    {
        offending = null;
        switch (term)
        {
            case Scalar s:
                return s.Value;
            case ArrayTerm a:
            {
                var items = new Value[a.Items.Count];
                for (var i = 0; i < items.Length; i++)
                {
                    var v = ToValue(a.Items[i], out offending);
                    if (v is null)
                    {
                        return null;
                    }

                    items[i] = v;
                }

                return ArrayValue.Wrap(items);
            }

            case SetTerm s:
            {
                var items = new HashSet<Value>(s.Items.Count);
                foreach (var item in s.Items)
                {
                    var v = ToValue(item, out offending);
                    if (v is null)
                    {
                        return null;
                    }

                    items.Add(v);
                }

                return SetValue.Wrap(items);
            }

            case ObjectTerm o:
            {
                var items = new Dictionary<Value, Value>(o.Pairs.Count);
                foreach (var (k, val) in o.Pairs)
                {
                    var key = ToValue(k, out offending);
                    if (key is null)
                    {
                        return null;
                    }

                    var value = ToValue(val, out offending);
                    if (value is null)
                    {
                        return null;
                    }

                    items[key] = value;
                }

                return ObjectValue.Wrap(items);
            }

            default:
                offending = term;
                return null;
        }
    }
}
