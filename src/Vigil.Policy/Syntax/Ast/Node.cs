namespace Vigil.Policy.Syntax.Ast;

/// <summary>Base of every AST node: immutable, with the source location it was parsed from.</summary>
internal abstract class Node
{
    protected Node(SourceLocation location)
    {
        Location = location;
    }

    public SourceLocation Location { get; }

    /// <summary>Rego-like text of the node (for diagnostics and tests; not guaranteed to round-trip).</summary>
    public override string ToString()
    {
        var builder = new System.Text.StringBuilder();
        AstPrinter.Append(builder, this);
        return builder.ToString();
    }
}
