using Vigil.Policy.Syntax.Ast;
using Vigil.Policy.Syntax.Parsing;
using Vigil.Policy.Values;

namespace Vigil.Policy.Syntax;

/// <summary>
/// Entry points of the Rego parser. All methods throw <see cref="PolicyCompileException"/> with
/// <c>rego_parse_error</c> errors (file:line:col locations, several errors where the parser can recover).
/// </summary>
internal static class RegoParser
{
    /// <summary>
    /// Parses a module. <see cref="RegoVersion.V1"/>: rule bodies need <c>if</c>, multi-value rules <c>contains</c>.
    /// <see cref="RegoVersion.V0"/>: lenient v0 (all future keywords available without import; <c>import rego.v1</c>
    /// switches the v1 checks on). <see cref="RegoVersion.Auto"/>: v1 if the module satisfies it (unless it imports
    /// <c>future.keywords</c> without <c>rego.v1</c>: written for v0), otherwise lenient v0.
    /// The grammar is the same in all modes, so a syntax error is reported as is.
    /// </summary>
    public static Module ParseModule(string file, string text, RegoVersion version) => ParseModule(file, text, version, out _);

    /// <summary>As <see cref="ParseModule(string, string, RegoVersion)"/>, also handing back the parser (tokens, comments, how rules were written).</summary>
    public static Module ParseModule(string file, string text, RegoVersion version, out Parser parser)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(text);
        parser = new Parser(file, text);
        var result = parser.ParseModule();
        if (result.Module is null)
        {
            throw new PolicyCompileException(result.SyntaxErrors);
        }

        var enforceV1 = version == RegoVersion.V1 || result.ImportsRegoV1;
        if (result.V1Errors.Count == 0)
        {
            // Auto: a module that imports future keywords (and not rego.v1) was written for v0, so it keeps v0's
            // leniency at compile time (deprecated builtins, shadowing) even though its syntax is also valid v1.
            var writtenForV0 = version == RegoVersion.Auto && !result.ImportsRegoV1
                && result.Module.Imports.Any(i => i.Path.Head is Var { Name: "future" });
            return (version == RegoVersion.V0 && !result.ImportsRegoV1) || writtenForV0
                ? WithVersion(result.Module, RegoVersion.V0)
                : WithVersion(result.Module, RegoVersion.V1);
        }

        if (enforceV1)
        {
            throw new PolicyCompileException(result.V1Errors);
        }

        return WithVersion(result.Module, RegoVersion.V0);
    }

    private static Module WithVersion(Module m, RegoVersion version) =>
        m.RegoVersion == version ? m : new Module(m.File, m.Package, m.Imports, m.Rules, version, m.Annotations);

    /// <summary>Parses a query: expressions separated by <c>;</c> or newlines. Wildcards become <c>$0</c>, <c>$1</c>, ...</summary>
    public static Body ParseQuery(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new Parser("", text);
        var body = parser.ParseQuery();
        return body ?? throw new PolicyCompileException(parser.Errors);
    }

    /// <summary>Parses exactly one term (e.g. <c>{"a": [1, 2]}</c>, <c>{1, 2}</c>, <c>set()</c>, <c>data.x[y]</c>).</summary>
    public static Term ParseTerm(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new Parser("", text);
        var term = parser.ParseSingleTerm();
        return term ?? throw new PolicyCompileException(parser.Errors);
    }

    /// <summary>
    /// Parses Rego text of a ground value (as OPA's <c>input_term</c>: objects with any keys, sets, <c>set()</c>) into a
    /// <see cref="Value"/>. Used by <c>PolicyEngine.ParseTerm</c>.
    /// </summary>
    public static Value ParseValue(string text)
    {
        var term = ParseTerm(text);
        return TermValues.ToValue(term, out var offending)
            ?? throw new PolicyCompileException(new PolicyError(
                PolicyErrorCodes.ParseError,
                $"term must be a ground value, found {Parser.ValueName(offending!)} {offending}",
                offending!.Location));
    }
}
