namespace Vigil.Policy.Syntax.Ast;

/// <summary>A parsed policy file: <c>package</c>, imports and rules, in source order.</summary>
internal sealed class Module : Node
{
    public Module(string file, Package package, IReadOnlyList<Import> imports, IReadOnlyList<Rule> rules, RegoVersion regoVersion, IReadOnlyList<Annotation>? annotations = null)
        : base(package.Location)
    {
        File = file;
        Package = package;
        Imports = imports;
        Rules = rules;
        RegoVersion = regoVersion;
        Annotations = annotations ?? [];
    }

    public string File { get; }

    public Package Package { get; }

    public IReadOnlyList<Import> Imports { get; }

    public IReadOnlyList<Rule> Rules { get; }

    /// <summary>The version the module was actually parsed as: <see cref="RegoVersion.V0"/> or <see cref="RegoVersion.V1"/> (never Auto).</summary>
    public RegoVersion RegoVersion { get; }

    /// <summary><c># METADATA</c> blocks, in source order, each attached to the package or a rule.</summary>
    public IReadOnlyList<Annotation> Annotations { get; }

    /// <summary>Annotations attached to exactly this rule (scope <c>rule</c> or <c>document</c>).</summary>
    public IEnumerable<Annotation> AnnotationsOf(Rule rule) => Annotations.Where(a => ReferenceEquals(a.Target, rule));
}

/// <summary>
/// A <c># METADATA</c> comment block (YAML) attached to the statement after it. <see cref="Scope"/> is <c>package</c>,
/// <c>subpackages</c>, <c>rule</c> or <c>document</c> (defaulting to package/rule by target). <see cref="Value"/> is the
/// object OPA's <c>rego.metadata.rule()</c> / <c>chain()</c> return: <c>scope</c>, <c>title</c>, <c>entrypoint</c>,
/// <c>description</c>, <c>organizations</c>, <c>related_resources</c> (<c>{ref, description}</c>), <c>authors</c>
/// (<c>{name, email}</c>), <c>schemas</c>, <c>custom</c> — only the keys that are set.
/// </summary>
internal sealed class Annotation : Node
{
    public Annotation(string scope, Values.ObjectValue value, Node target, SourceLocation location)
        : base(location)
    {
        Scope = scope;
        Value = value;
        Target = target;
    }

    public string Scope { get; }

    public Values.ObjectValue Value { get; }

    /// <summary>The <see cref="Package"/> or <see cref="Rule"/> the block precedes.</summary>
    public Node Target { get; }
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
