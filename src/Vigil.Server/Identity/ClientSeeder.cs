using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenIddict.Abstractions;
using Vigil.Server.Configuration;
using Vigil.Server.Sessions;
using Vigil.Server.Storage;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Vigil.Server.Identity;

/// <summary>At start-up (after <see cref="VigilServer"/> has created or upgraded the store): registers (or updates) the gateway's and the configured OAuth clients.</summary>
internal sealed class ClientSeeder(IServiceProvider services, VigilConfig config, string gatewaySecret) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (config.Identity.Builtin is null)
        {
            return;
        }

        var gateway = new OpenIddictApplicationDescriptor
        {
            ClientId = SessionSchemes.GatewayClientId,
            ClientSecret = gatewaySecret,
            ClientType = ClientTypes.Confidential,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = "Vigil gateway",
        };
        foreach (var uri in GatewayRedirectUris(config))
        {
            gateway.RedirectUris.Add(uri);
        }

        AddCodeFlowPermissions(gateway);
        await UpsertAsync(gateway, cancellationToken).ConfigureAwait(false);

        foreach (var client in config.Identity.Builtin.Clients)
        {
            var descriptor = new OpenIddictApplicationDescriptor
            {
                ClientId = client.ClientId,
                ClientSecret = client.ClientSecret,
                ClientType = client.ClientSecret is null ? ClientTypes.Public : ClientTypes.Confidential,
                ConsentType = ConsentTypes.Implicit,
                DisplayName = client.ClientId,
            };
            foreach (var uri in client.RedirectUris)
            {
                descriptor.RedirectUris.Add(uri);
            }

            if (client.GrantTypes.Contains("authorization_code"))
            {
                AddCodeFlowPermissions(descriptor);
            }

            if (client.GrantTypes.Contains("client_credentials"))
            {
                descriptor.Permissions.Add(Permissions.Endpoints.Token);
                descriptor.Permissions.Add(Permissions.GrantTypes.ClientCredentials);
                foreach (var api in IdpEndpoints.ApiAudiences(config))
                {
                    descriptor.Permissions.Add(Permissions.Prefixes.Scope + api);
                }
            }

            await UpsertAsync(descriptor, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The gateway's callback on the public URL and on every route host (same scheme and port).</summary>
    public static IEnumerable<Uri> GatewayRedirectUris(VigilConfig config)
    {
        var pub = config.Server.PublicUrl;
        var hosts = new HashSet<string>(StringComparer.Ordinal) { pub.Host };
        foreach (var route in config.Routes)
        {
            if (route.Host is not null)
            {
                hosts.Add(route.Host);
            }
        }

        foreach (var host in hosts)
        {
            yield return new UriBuilder(pub.Scheme, host, pub.Port, SessionSchemes.CallbackPath).Uri;
        }
    }

    private static void AddCodeFlowPermissions(OpenIddictApplicationDescriptor descriptor)
    {
        descriptor.Permissions.UnionWith(
        [
            Permissions.Endpoints.Authorization, Permissions.Endpoints.Token,
            Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code,
            Permissions.Scopes.Email, Permissions.Scopes.Profile, Permissions.Scopes.Roles, Permissions.Prefixes.Scope + "groups",
        ]);
        descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
    }

    private async Task UpsertAsync(OpenIddictApplicationDescriptor descriptor, CancellationToken ct)
    {
        // Nodes starting together on one empty store may both find the client missing and both insert it; the loser's
        // insert fails (OpenIddict's own uniqueness check, or the unique index). It then retries on a fresh context and
        // finds the client to update. A validation error that is not this race fails again on every attempt.
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = services.CreateAsyncScope();
            var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            try
            {
                // Looked up in the store itself: the manager's entity cache may still remember the client as missing.
                var store = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationStore<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication>>();
                var existing = await store.FindByClientIdAsync(descriptor.ClientId!, ct).ConfigureAwait(false);
                if (existing is null)
                {
                    await manager.CreateAsync(descriptor, ct).ConfigureAwait(false);
                }
                else
                {
                    await manager.UpdateAsync(existing, descriptor, ct).ConfigureAwait(false);
                }

                return;
            }
            catch (Exception ex) when (attempt < 5 && ex is Microsoft.EntityFrameworkCore.DbUpdateException or OpenIddictExceptions.ConcurrencyException or OpenIddictExceptions.ValidationException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), ct).ConfigureAwait(false);
            }
        }
    }
}
