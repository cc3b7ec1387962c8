using Vigil.Policy.Syntax;
using Vigil.Policy.Syntax.Ast;
using Vigil.Policy.Syntax.Parsing;

namespace Vigil.Policy.Formatting;

/// <summary>
/// Formats Rego modules in <c>opa fmt</c>'s canonical style (tabs, sorted import groups, <c>if</c>/<c>contains</c>,
/// one expression per line, multi-line collections kept multi-line), keeping literals exactly as written and every
/// comment. Safety first: the output is parsed again and must give the same AST (locations aside), the same
/// annotations and the same comments, or the module is reported as a <c>rego_format_error</c> and not formatted.
/// </summary>
public static class RegoFormatter
{
    /// <summary>Formats one module. <paramref name="file"/> is only used in error locations.</summary>
    public static RegoFormatResult Format(string file, string text, RegoFormatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(text);
        options ??= new RegoFormatOptions();
        var version = options.V0Compatible ? RegoVersion.V0 : RegoVersion.Auto;

        Module module;
        Parser parser;
        try
        {
            module = RegoParser.ParseModule(file, text, version, out parser);
        }
        catch (PolicyCompileException ex)
        {
            return new RegoFormatResult(null, false, ex.Errors);
        }

        var v1 = module.RegoVersion == RegoVersion.V1 && !options.V0Compatible;
        string output;
        try
        {
            output = new ModuleWriter(text, parser, v1).Print(module);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Fail closed: a printer bug must never crash the caller or produce text; the file stays as it is.
            return Failed(file, $"cannot format this module ({ex.GetType().Name}: {ex.Message})");
        }

        Module again;
        Parser againParser;
        try
        {
            again = RegoParser.ParseModule(file, output, version, out againParser);
        }
        catch (PolicyCompileException ex)
        {
            return Failed(file, $"formatted text does not parse ({ex.Errors[0].Message})");
        }

        if (!AstEquality.ModulesEqual(module, again, v1Output: v1))
        {
            return Failed(file, "formatted module differs from the original");
        }

        if (!ModuleWriter.CommentTexts(text, parser.Comments).SequenceEqual(ModuleWriter.CommentTexts(output, againParser.Comments), StringComparer.Ordinal))
        {
            return Failed(file, "formatting would move or change comments");
        }

        return new RegoFormatResult(output, !string.Equals(output, text, StringComparison.Ordinal), []);
    }

    /// <summary>The printer's output without the equivalence checks (for diagnosing a <c>rego_format_error</c> in tests).</summary>
    internal static string PrintUnchecked(string text, bool v0Compatible = false)
    {
        var module = RegoParser.ParseModule("", text, v0Compatible ? RegoVersion.V0 : RegoVersion.Auto, out var parser);
        return new ModuleWriter(text, parser, module.RegoVersion == RegoVersion.V1 && !v0Compatible).Print(module);
    }

    private static RegoFormatResult Failed(string file, string message) =>
        new(null, false, [new PolicyError(PolicyErrorCodes.FormatError, $"internal error: {message}; the file is left unchanged", new SourceLocation(file, 1, 1))]);
}
