namespace Vigil.Policy.Syntax.Ast;

/// <summary>A parsed policy file: <c>package</c>, imports and rules, in source order.</summary>
internal sealed class Module : Node
{
    public Module(string file, Package package, IReadOnlyList<Import> imports, IReadOnlyList<Rule> rules, RegoVersion regoVersion)
        : base(package.Location)
    {
        File = file;
        Package = package;
        Imports = imports;
        Rules = rules;
        RegoVersion = regoVersion;
    }

    public string File { get; }

    public Package Package { get; }

    public IReadOnlyList<Import> Imports { get; }

    public IReadOnlyList<Rule> Rules { get; }

    /// <summary>The version the module was actually parsed as: <see cref="RegoVersion.V0"/> or <see cref="RegoVersion.V1"/> (never Auto).</summary>
    public RegoVersion RegoVersion { get; }
}

/// <summary><c>package a.b</c>. <see cref="Path"/> is the full ref <c>data.a.b</c> (head var <c>data</c>, string path terms).</summary>
internal sealed class Package : Node
{
    public Package(Ref path, SourceLocation location)
        : base(location)
    {
        Path = path;
    }

    public Ref Path { get; }
}

/// <summary>
/// <c>import data.x.y as z</c> / <c>import input.foo</c> / <c>import future.keywords.in</c> / <c>import rego.v1</c>.
/// <see cref="Path"/> is the imported ref (head var <c>data</c>, <c>input</c>, <c>future</c> or <c>rego</c>).
/// </summary>
internal sealed class Import : Node
{
    public Import(Ref path, string? alias, SourceLocation location)
        : base(location)
    {
        Path = path;
        Alias = alias;
    }

    public Ref Path { get; }

    public string? Alias { get; }

    /// <summary><c>future.keywords...</c> or <c>rego.v1</c>: only switches parser behaviour, binds nothing.</summary>
    public bool IsKeywordImport => Path.Head is Var { Name: "future" or "rego" };

    /// <summary>The name the import binds in the module: the alias, else the last path element (<c>import data.a.b</c> binds <c>b</c>).</summary>
    public string BoundName => Alias ?? (Path.Path.Count == 0
        ? ((Var)Path.Head).Name
        : Path.Path[^1] is Scalar { Value: Values.StringValue s } ? s.Value : Path.Path[^1].ToString());
}
