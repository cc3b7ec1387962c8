using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigil.Server.Storage;

namespace Vigil.Server.Identity;

internal static partial class IdpEndpoints
{
    /// <summary>
    /// Fail closed on the provider's form posts: when the store cannot be used (unreachable, refusing, timing out),
    /// the attempt is refused with the neutral sign-in error (or a JSON error for the WebAuthn options requests) and
    /// the cause is logged, instead of an error page. Nothing is let through: every step that would accept a login
    /// needs the store.
    /// </summary>
    private static async ValueTask<object?> RefuseOnStoreFailure(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        try
        {
            return await next(invocation).ConfigureAwait(false);
        }
        catch (Exception ex) when (VigilDbContext.IsStoreFailure(ex))
        {
            var context = invocation.HttpContext;
            var path = context.Request.Path.Value ?? "";
            LogStoreFailure(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Vigil.Server.Identity.IdpEndpoints"), ex, path);
            if (path.EndsWith("/options", StringComparison.Ordinal))
            {
                return JsonError(context, "unavailable");
            }

            return path.StartsWith(AccountPath, StringComparison.Ordinal)
                ? Results.Redirect(AccountPath + "?status=failed")
                : Results.Redirect(LoginPath + "?error=1");
        }
    }

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "Sign-in step {Path} refused: the store cannot be used")]
    private static partial void LogStoreFailure(ILogger logger, Exception exception, string path);
}
