using System.Globalization;
using System.Net;
using Vigil.Server.Gateway;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vigil.Server.Configuration;

/// <summary>
/// Reads <c>vigil.yaml</c> into a <see cref="VigilConfig"/>. Every problem (syntax, unknown key, bad value,
/// insecure setting) is collected with its line and column; any error throws one <see cref="ConfigException"/> listing all.
/// </summary>
public static class ConfigLoader
{
    /// <summary>Loads and validates a configuration file.</summary>
    public static VigilConfig LoadFile(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([new ConfigError(ConfigErrorCodes.Missing, full, 0, 0, $"cannot read the configuration file: {ex.Message}")]);
        }

        return Parse(text, System.IO.Path.GetDirectoryName(full)!, full);
    }

    /// <summary>Parses configuration text; relative paths are resolved against <paramref name="baseDirectory"/>.</summary>
    public static VigilConfig Parse(string yaml, string baseDirectory, string? sourcePath = null)
    {
        var reader = new Reader(baseDirectory);
        YamlMappingNode? root = null;
        TrackingParser? tracking = null;
        try
        {
            var stream = new YamlStream();
            using var textReader = new StringReader(yaml);
            tracking = new TrackingParser(new Parser(textReader));
            stream.Load(tracking);
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode map)
            {
                reader.Error(ConfigErrorCodes.Syntax, "", null, "the configuration must be a YAML mapping");
            }
            else
            {
                root = map;
            }
        }
        catch (YamlException ex)
        {
            reader.Errors.Add(new ConfigError(ConfigErrorCodes.Syntax, sourcePath ?? "", (int)ex.Start.Line, (int)ex.Start.Column, ex.InnerException?.Message ?? ex.Message));
        }
        catch (InvalidOperationException ex)
        {
            var mark = tracking?.LastStart ?? Mark.Empty;
            reader.Errors.Add(new ConfigError(ConfigErrorCodes.Syntax, sourcePath ?? "", (int)mark.Line, (int)mark.Column, "YAML syntax error near here: " + ex.Message));
        }

        if (root is null)
        {
            throw new ConfigException(reader.Errors);
        }

        var config = reader.ReadRoot(root) with { SourcePath = sourcePath };
        if (reader.Errors.Count > 0)
        {
            throw new ConfigException(reader.Errors);
        }

        return config;
    }

    /// <summary>Remembers where the parser was, to locate errors YamlDotNet reports without a position.</summary>
    private sealed class TrackingParser(IParser inner) : IParser
    {
        public Mark LastStart { get; private set; } = Mark.Empty;

        public YamlDotNet.Core.Events.ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            var result = inner.MoveNext();
            if (inner.Current is { } current)
            {
                LastStart = current.Start;
            }

            return result;
        }
    }

    private sealed class Reader(string baseDirectory)
    {
        public List<ConfigError> Errors { get; } = [];

        public void Error(string code, string path, YamlNode? node, string message) =>
            Errors.Add(new ConfigError(code, path, node is null ? 0 : (int)node.Start.Line, node is null ? 0 : (int)node.Start.Column, message));

        public VigilConfig ReadRoot(YamlMappingNode root)
        {
            Keys(root, "", "version", "server", "identity", "session", "policies", "audit", "storage", "redis", "telemetry", "routes");
            var version = Scalar(root, "version", "");
            if (version is not null && version != "1")
            {
                Error(ConfigErrorCodes.Invalid, "version", Child(root, "version"), "only version 1 is supported");
            }

            var server = ReadServer(Map(root, "server", "", required: true));
            var identity = ReadIdentity(Map(root, "identity", "", required: false));
            var session = ReadSession(Map(root, "session", "", required: false));
            var policies = ReadPolicies(Map(root, "policies", "", required: false));
            var audit = ReadAudit(Map(root, "audit", "", required: false), server.DataDir);
            var storage = ReadStorage(Map(root, "storage", "", required: false));
            var redis = ReadRedis(Map(root, "redis", "", required: false));
            var telemetry = ReadTelemetry(Map(root, "telemetry", "", required: false));
            var routes = ReadRoutes(root, policies.DefaultQuery);
            return new VigilConfig { Server = server, Identity = identity, Session = session, Policies = policies, Audit = audit, Storage = storage, Redis = redis, Telemetry = telemetry, Routes = routes };
        }

        private ServerConfig ReadServer(YamlMappingNode? map)
        {
            var listen = new List<Uri>();
            Uri? publicUrl = null;
            TlsConfig? tls = null;
            var proxies = new List<IPNetwork>();
            var dataDir = System.IO.Path.Combine(baseDirectory, "data");
            var inlineIo = true;
            if (map is not null)
            {
                Keys(map, "server", "listen", "public_url", "tls", "trusted_proxies", "data_dir", "inline_io");
                if (Scalar(map, "inline_io", "server") is { } io)
                {
                    if (io is "true" or "on" or "false" or "off")
                    {
                        inlineIo = io is "true" or "on";
                    }
                    else
                    {
                        Error(ConfigErrorCodes.Invalid, "server.inline_io", Child(map, "inline_io"), $"'{io}' is not a boolean (true or false)");
                    }
                }

                foreach (var (node, path) in Sequence(map, "listen", "server"))
                {
                    var uri = AbsoluteUri(node, path, "http", "https");
                    if (uri is null)
                    {
                        continue;
                    }

                    if (uri.Scheme == "http" && !IsLoopbackHost(uri.Host))
                    {
                        Error(ConfigErrorCodes.Insecure, path, node, $"plain HTTP listener on '{uri.Host}' is refused: use https, or a loopback address");
                    }

                    listen.Add(uri);
                }

                if (Child(map, "public_url") is { } pu)
                {
                    publicUrl = AbsoluteUri(pu, "server.public_url", "http", "https");
                    if (publicUrl is not null && publicUrl.Scheme == "http" && !IsLoopbackHost(publicUrl.Host))
                    {
                        Error(ConfigErrorCodes.Insecure, "server.public_url", pu, "a public URL over plain HTTP is refused outside loopback (session cookies and tokens would travel in clear)");
                    }

                    if (publicUrl is not null && publicUrl.AbsolutePath != "/")
                    {
                        Error(ConfigErrorCodes.Invalid, "server.public_url", pu, "the public URL must not have a path");
                    }
                }

                if (Map(map, "tls", "server", required: false) is { } tlsMap)
                {
                    Keys(tlsMap, "server.tls", "certificate", "key", "password");
                    var cert = Scalar(tlsMap, "certificate", "server.tls");
                    var key = Scalar(tlsMap, "key", "server.tls");
                    tls = new TlsConfig(cert is null ? null : FilePath(cert), Scalar(tlsMap, "password", "server.tls"), key is null ? null : FilePath(key));
                    var usable = true;
                    if (tls.Certificate is null && tls.Key is not null)
                    {
                        Error(ConfigErrorCodes.Missing, "server.tls.certificate", tlsMap, "server.tls.key needs server.tls.certificate (the PEM certificate chain)");
                        usable = false;
                    }

                    if (tls.Certificate is not null && !File.Exists(tls.Certificate))
                    {
                        Error(ConfigErrorCodes.Invalid, "server.tls.certificate", Child(tlsMap, "certificate"), $"certificate file '{tls.Certificate}' does not exist");
                        usable = false;
                    }

                    if (tls.Key is not null && !File.Exists(tls.Key))
                    {
                        Error(ConfigErrorCodes.Invalid, "server.tls.key", Child(tlsMap, "key"), $"key file '{tls.Key}' does not exist");
                        usable = false;
                    }

                    if (usable && tls.Certificate is not null)
                    {
                        try
                        {
                            Vigil.Server.Tls.ServerCertificate.Load(tls);
                        }
                        catch (Vigil.Server.Tls.ServerCertificateException ex)
                        {
                            Error(ConfigErrorCodes.Invalid, "server.tls.certificate", Child(tlsMap, "certificate"), ex.Message);
                        }
                    }
                }

                foreach (var (node, path) in Sequence(map, "trusted_proxies", "server"))
                {
                    var text = ScalarValue(node, path);
                    if (text is null)
                    {
                        continue;
                    }

                    if (text == "*" || !TryParseNetwork(text, out var network))
                    {
                        Error(text == "*" ? ConfigErrorCodes.Insecure : ConfigErrorCodes.Invalid, path, node, text == "*" ? "a wildcard of trusted proxies is refused: any client could forge X-Forwarded-For" : $"'{text}' is not an IP address or CIDR range");
                        continue;
                    }

                    if (network.PrefixLength == 0)
                    {
                        Error(ConfigErrorCodes.Insecure, path, node, $"'{text}' trusts every address as a proxy: any client could forge X-Forwarded-For");
                        continue;
                    }

                    proxies.Add(network);
                }

                if (Scalar(map, "data_dir", "server") is { } dd)
                {
                    dataDir = FilePath(dd);
                }
            }
            else
            {
                Error(ConfigErrorCodes.Missing, "server", null, "the 'server' section is required");
            }

            if (listen.Count == 0 && map is not null)
            {
                Error(ConfigErrorCodes.Missing, "server.listen", map, "at least one listener URL is required");
            }

            publicUrl ??= listen.Count > 0 ? new Uri(listen[0].GetLeftPart(UriPartial.Authority) + "/") : new Uri("http://127.0.0.1/");
            return new ServerConfig { Listen = listen, PublicUrl = publicUrl, Tls = tls, TrustedProxies = proxies, DataDir = dataDir, InlineIo = inlineIo };
        }

        private StorageConfig ReadStorage(YamlMappingNode? map)
        {
            const string path = "storage";
            if (map is null)
            {
                return new StorageConfig();
            }

            string[] sources = ["connection_string", "connection_string_env", "connection_string_file"];
            string[] passwords = ["password_env", "password_file"];
            Keys(map, path, ["provider", .. sources, .. passwords]);
            var provider = Scalar(map, "provider", path) switch
            {
                null or "sqlite" => StorageProvider.Sqlite,
                "postgres" or "postgresql" => StorageProvider.Postgres,
                var other => Bad(path + ".provider", Child(map, "provider"), $"provider '{other}' is not one of sqlite, postgres", StorageProvider.Sqlite),
            };
            if (provider == StorageProvider.Sqlite)
            {
                foreach (var key in sources.Concat(passwords))
                {
                    if (Child(map, key) is { } node)
                    {
                        Error(ConfigErrorCodes.Invalid, Join(path, key), node, $"'{key}' is only used with provider: postgres (SQLite is the file vigil.db in server.data_dir)");
                    }
                }

                return new StorageConfig();
            }

            var given = sources.Where(k => Child(map, k) is not null).ToList();
            if (given.Count != 1)
            {
                Error(given.Count == 0 ? ConfigErrorCodes.Missing : ConfigErrorCodes.Duplicate, Join(path, given.Count == 0 ? "connection_string" : given[1]),
                    given.Count == 0 ? map : Child(map, given[1]), "give exactly one of connection_string, connection_string_env (variable name), connection_string_file (path)");
                return new StorageConfig { Provider = provider };
            }

            var source = given[0];
            var text = source switch
            {
                "connection_string" => Scalar(map, source, path, required: true),
                "connection_string_env" => SecretFromEnvironment(map, source, path),
                _ => SecretFromFile(map, source, path),
            };
            if (text is null)
            {
                return new StorageConfig { Provider = provider };
            }

            Npgsql.NpgsqlConnectionStringBuilder builder;
            try
            {
                builder = new Npgsql.NpgsqlConnectionStringBuilder(text);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
            {
                // The message names the offending keyword, never a value (the string may hold a password).
                Error(ConfigErrorCodes.Invalid, Join(path, source), Child(map, source), "not a valid PostgreSQL connection string: " + ex.Message);
                return new StorageConfig { Provider = provider };
            }

            var where = Child(map, source);
            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                Error(ConfigErrorCodes.Missing, Join(path, source), where, "the connection string needs Host=...");
            }

            if (string.IsNullOrWhiteSpace(builder.Database))
            {
                Error(ConfigErrorCodes.Missing, Join(path, source), where, "the connection string needs Database=...");
            }

            var passwordKeys = passwords.Where(k => Child(map, k) is not null).ToList();
            if (passwordKeys.Count > 1 || (passwordKeys.Count == 1 && !string.IsNullOrEmpty(builder.Password)))
            {
                Error(ConfigErrorCodes.Duplicate, Join(path, passwordKeys[^1]), Child(map, passwordKeys[^1]), "the password is given more than once (connection string, password_env, password_file): keep one");
            }
            else if (passwordKeys.Count == 1)
            {
                builder.Password = passwordKeys[0] == "password_env" ? SecretFromEnvironment(map, "password_env", path) : SecretFromFile(map, "password_file", path);
            }

            var remote = (builder.Host ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Any(h => !h.StartsWith('/') && !IsLoopbackHost(h.Split(':')[0]));
            if (remote && builder.SslMode == Npgsql.SslMode.Disable)
            {
                Error(ConfigErrorCodes.Insecure, Join(path, source), where, "SSL Mode=Disable to a non-loopback database is refused (users, TOTP secrets and sessions would travel in clear); use SSL Mode=VerifyFull");
            }

            return new StorageConfig { Provider = provider, ConnectionString = builder.ConnectionString };
        }

        private RedisConfig? ReadRedis(YamlMappingNode? map)
        {
            const string path = "redis";
            if (map is null)
            {
                return null;
            }

            string[] sources = ["connection_string", "connection_string_env", "connection_string_file"];
            string[] passwords = ["password_env", "password_file"];
            Keys(map, path, [.. sources, .. passwords, "channel_prefix"]);
            var prefix = Scalar(map, "channel_prefix", path) ?? RedisConfig.DefaultChannelPrefix;
            if (prefix.Length is 0 or > 64 || !prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or ':'))
            {
                Error(ConfigErrorCodes.Invalid, Join(path, "channel_prefix"), Child(map, "channel_prefix"), "a channel prefix is 1-64 letters, digits, '.', '_', '-' or ':'");
            }

            var given = sources.Where(k => Child(map, k) is not null).ToList();
            if (given.Count != 1)
            {
                Error(given.Count == 0 ? ConfigErrorCodes.Missing : ConfigErrorCodes.Duplicate, Join(path, given.Count == 0 ? "connection_string" : given[1]),
                    given.Count == 0 ? map : Child(map, given[1]), "give exactly one of connection_string, connection_string_env (variable name), connection_string_file (path)");
                return null;
            }

            var source = given[0];
            var where = Child(map, source);
            var text = source switch
            {
                "connection_string" => Scalar(map, source, path, required: true),
                "connection_string_env" => SecretFromEnvironment(map, source, path),
                _ => SecretFromFile(map, source, path),
            };
            if (text is null)
            {
                return null;
            }

            StackExchange.Redis.ConfigurationOptions options;
            try
            {
                options = StackExchange.Redis.ConfigurationOptions.Parse(text);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
            {
                // The message names the offending option; a password never fails to parse, so it is not echoed.
                Error(ConfigErrorCodes.Invalid, Join(path, source), where, "not a valid Redis connection string (host:port,password=...,ssl=true): " + ex.Message);
                return null;
            }

            if (options.EndPoints.Count == 0)
            {
                Error(ConfigErrorCodes.Missing, Join(path, source), where, "the connection string needs at least one host:port");
            }

            string? password = null;
            var passwordKeys = passwords.Where(k => Child(map, k) is not null).ToList();
            if (passwordKeys.Count > 1 || (passwordKeys.Count == 1 && !string.IsNullOrEmpty(options.Password)))
            {
                Error(ConfigErrorCodes.Duplicate, Join(path, passwordKeys[^1]), Child(map, passwordKeys[^1]), "the password is given more than once (connection string, password_env, password_file): keep one");
            }
            else if (passwordKeys.Count == 1)
            {
                password = passwordKeys[0] == "password_env" ? SecretFromEnvironment(map, "password_env", path) : SecretFromFile(map, "password_file", path);
                options.Password = password;
            }

            var remote = options.EndPoints.Any(e => !IsLoopbackHost(RedisHost(e)));
            if (remote && !options.Ssl)
            {
                Error(ConfigErrorCodes.Insecure, Join(path, source), where, "a Redis server that is not on loopback needs ssl=true (the password and revocations would travel in clear and could be dropped or forged)");
            }

            if (remote && string.IsNullOrEmpty(options.Password))
            {
                Error(ConfigErrorCodes.Insecure, Join(path, source), where, "a Redis server that is not on loopback needs a password (password=..., password_env or password_file): anyone reaching it could publish to the nodes");
            }

            return new RedisConfig { ConnectionString = text, Password = password, ChannelPrefix = prefix };
        }

        private static string RedisHost(System.Net.EndPoint endpoint) => endpoint switch
        {
            System.Net.DnsEndPoint dns => dns.Host,
            System.Net.IPEndPoint ip => ip.Address.ToString(),
            _ => endpoint.ToString() ?? "",
        };

        /// <summary>Reads a secret from the environment variable named by <paramref name="key"/>.</summary>
        private string? SecretFromEnvironment(YamlMappingNode map, string key, string path)
        {
            var name = Scalar(map, key, path, required: true);
            if (name is null)
            {
                return null;
            }

            var value = Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrEmpty(value))
            {
                Error(ConfigErrorCodes.Missing, Join(path, key), Child(map, key), $"environment variable '{name}' is not set or empty");
                return null;
            }

            return value;
        }

        /// <summary>Reads a secret from the file named by <paramref name="key"/> (one trailing newline is dropped).</summary>
        private string? SecretFromFile(YamlMappingNode map, string key, string path)
        {
            var name = Scalar(map, key, path, required: true);
            if (name is null)
            {
                return null;
            }

            var file = FilePath(name);
            try
            {
                var value = File.ReadAllText(file).TrimEnd('\n').TrimEnd('\r');
                if (value.Length > 0)
                {
                    return value;
                }

                Error(ConfigErrorCodes.Invalid, Join(path, key), Child(map, key), $"file '{file}' is empty");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Error(ConfigErrorCodes.Missing, Join(path, key), Child(map, key), $"cannot read '{file}': {ex.Message}");
            }

            return null;
        }

        private IdentityConfig ReadIdentity(YamlMappingNode? map)
        {
            if (map is null)
            {
                return new IdentityConfig { Builtin = new BuiltinIdpConfig() };
            }

            Keys(map, "identity", "builtin", "external", "provider");
            BuiltinIdpConfig? builtin = null;
            var builtinNode = Child(map, "builtin");
            if (builtinNode is YamlScalarNode bs && bs.Value is "false" or "off")
            {
                builtin = null;
            }
            else if (builtinNode is null || builtinNode is YamlScalarNode { Value: "true" or "on" or "" or null })
            {
                builtin = new BuiltinIdpConfig();
            }
            else if (builtinNode is YamlMappingNode bm)
            {
                builtin = ReadBuiltin(bm);
            }
            else
            {
                Error(ConfigErrorCodes.Invalid, "identity.builtin", builtinNode, "expected true, false or a mapping");
            }

            var external = new List<ExternalProviderConfig>();
            foreach (var (node, path) in Sequence(map, "external", "identity"))
            {
                if (node is not YamlMappingNode em)
                {
                    Error(ConfigErrorCodes.Invalid, path, node, "expected a mapping");
                    continue;
                }

                Keys(em, path, "name", "issuer", "client_id", "client_secret");
                var name = Scalar(em, "name", path, required: true);
                var issuerNode = Child(em, "issuer");
                Uri? issuer = null;
                if (issuerNode is null)
                {
                    Error(ConfigErrorCodes.Missing, path + ".issuer", em, "'issuer' is required");
                }
                else
                {
                    issuer = AbsoluteUri(issuerNode, path + ".issuer", "http", "https");
                    if (issuer is not null && issuer.Scheme == "http" && !IsLoopbackHost(issuer.Host))
                    {
                        Error(ConfigErrorCodes.Insecure, path + ".issuer", issuerNode, "an external issuer over plain HTTP is refused (tokens and discovery could be forged in transit)");
                    }
                }

                var clientId = Scalar(em, "client_id", path, required: true);
                var secret = Scalar(em, "client_secret", path);
                if (name == "builtin")
                {
                    Error(ConfigErrorCodes.Invalid, path + ".name", Child(em, "name"), "'builtin' is reserved for the built-in provider");
                }

                if (name is not null && issuer is not null && clientId is not null)
                {
                    if (external.Any(e => e.Name == name))
                    {
                        Error(ConfigErrorCodes.Duplicate, path + ".name", Child(em, "name"), $"provider '{name}' is defined twice");
                    }

                    external.Add(new ExternalProviderConfig { Name = name, Issuer = issuer, ClientId = clientId, ClientSecret = secret });
                }
            }

            var provider = Scalar(map, "provider", "identity") ?? (builtin is not null ? "builtin" : external.FirstOrDefault()?.Name ?? "builtin");
            if (provider == "builtin" && builtin is null)
            {
                Error(ConfigErrorCodes.Invalid, "identity.provider", Child(map, "provider") ?? map, "sessions use the built-in provider, but it is disabled");
            }
            else if (provider != "builtin" && external.All(e => e.Name != provider))
            {
                Error(ConfigErrorCodes.Invalid, "identity.provider", Child(map, "provider"), $"no external provider is named '{provider}'");
            }

            return new IdentityConfig { Builtin = builtin, External = external, Provider = provider };
        }

        private BuiltinIdpConfig ReadBuiltin(YamlMappingNode map)
        {
            Keys(map, "identity.builtin", "access_token_lifetime", "clients", "lockout");
            var result = new BuiltinIdpConfig();
            if (Duration(map, "access_token_lifetime", "identity.builtin") is { } lifetime)
            {
                if (lifetime > TimeSpan.FromHours(1) || lifetime <= TimeSpan.Zero)
                {
                    Error(ConfigErrorCodes.Insecure, "identity.builtin.access_token_lifetime", Child(map, "access_token_lifetime"), "access tokens must live more than 0 and at most 1 hour");
                }

                result = result with { AccessTokenLifetime = lifetime };
            }

            var clients = new List<ClientConfig>();
            foreach (var (node, path) in Sequence(map, "clients", "identity.builtin"))
            {
                if (node is not YamlMappingNode cm)
                {
                    Error(ConfigErrorCodes.Invalid, path, node, "expected a mapping");
                    continue;
                }

                Keys(cm, path, "client_id", "client_secret", "redirect_uris", "grant_types");
                var id = Scalar(cm, "client_id", path, required: true);
                var secret = Scalar(cm, "client_secret", path);
                if (secret is not null && secret.Length < 16)
                {
                    Error(ConfigErrorCodes.Insecure, path + ".client_secret", Child(cm, "client_secret"), "client secrets must be at least 16 characters");
                }

                var redirects = new List<Uri>();
                foreach (var (rn, rp) in Sequence(cm, "redirect_uris", path))
                {
                    if (AbsoluteUri(rn, rp, "http", "https") is { } ru)
                    {
                        if (ru.Scheme == "http" && !IsLoopbackHost(ru.Host))
                        {
                            Error(ConfigErrorCodes.Insecure, rp, rn, "redirect URIs over plain HTTP are refused outside loopback");
                        }

                        redirects.Add(ru);
                    }
                }

                var grants = new List<string>();
                foreach (var (gn, gp) in Sequence(cm, "grant_types", path))
                {
                    var g = ScalarValue(gn, gp);
                    if (g is "authorization_code" or "client_credentials")
                    {
                        grants.Add(g);
                    }
                    else if (g is not null)
                    {
                        Error(ConfigErrorCodes.Invalid, gp, gn, $"unsupported grant type '{g}' (authorization_code, client_credentials)");
                    }
                }

                if (grants.Count == 0)
                {
                    grants.Add("authorization_code");
                }

                if (grants.Contains("client_credentials") && secret is null)
                {
                    Error(ConfigErrorCodes.Invalid, path + ".client_secret", cm, "client_credentials needs a client_secret");
                }

                if (id is not null)
                {
                    clients.Add(new ClientConfig { ClientId = id, ClientSecret = secret, RedirectUris = redirects, GrantTypes = grants });
                }
            }

            var lockout = new LockoutConfig();
            if (Map(map, "lockout", "identity.builtin", required: false) is { } lm)
            {
                Keys(lm, "identity.builtin.lockout", "max_failures_per_account", "max_failures_per_ip", "window", "ban", "max_ban");
                lockout = new LockoutConfig
                {
                    MaxFailuresPerAccount = Int(lm, "max_failures_per_account", "identity.builtin.lockout", 1, 1000) ?? lockout.MaxFailuresPerAccount,
                    MaxFailuresPerIp = Int(lm, "max_failures_per_ip", "identity.builtin.lockout", 1, 100000) ?? lockout.MaxFailuresPerIp,
                    Window = Duration(lm, "window", "identity.builtin.lockout") ?? lockout.Window,
                    Ban = Duration(lm, "ban", "identity.builtin.lockout") ?? lockout.Ban,
                    MaxBan = Duration(lm, "max_ban", "identity.builtin.lockout") ?? lockout.MaxBan,
                };
            }

            return result with { Clients = clients, Lockout = lockout };
        }

        private SessionConfig ReadSession(YamlMappingNode? map)
        {
            var result = new SessionConfig();
            if (map is null)
            {
                return result;
            }

            Keys(map, "session", "cookie_name", "lifetime");
            if (Scalar(map, "cookie_name", "session") is { } name)
            {
                if (name.Length == 0 || name.Any(c => c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".Contains(c, StringComparison.Ordinal)))
                {
                    Error(ConfigErrorCodes.Invalid, "session.cookie_name", Child(map, "cookie_name"), "not a valid cookie name");
                }

                result = result with { CookieName = name };
            }

            if (Duration(map, "lifetime", "session") is { } lifetime)
            {
                if (lifetime <= TimeSpan.Zero || lifetime > TimeSpan.FromDays(7))
                {
                    Error(ConfigErrorCodes.Insecure, "session.lifetime", Child(map, "lifetime"), "session lifetime must be more than 0 and at most 7 days");
                }

                result = result with { Lifetime = lifetime };
            }

            return result;
        }

        private PolicyConfig ReadPolicies(YamlMappingNode? map)
        {
            var result = new PolicyConfig();
            if (map is null)
            {
                return result;
            }

            Keys(map, "policies", "directories", "default_query", "evaluation_timeout");
            var dirs = new List<string>();
            foreach (var (node, path) in Sequence(map, "directories", "policies"))
            {
                if (ScalarValue(node, path) is { } d)
                {
                    var full = FilePath(d);
                    if (!Directory.Exists(full))
                    {
                        Error(ConfigErrorCodes.Invalid, path, node, $"policy directory '{full}' does not exist");
                    }

                    dirs.Add(full);
                }
            }

            result = result with { Directories = dirs };
            if (Scalar(map, "default_query", "policies") is { } q)
            {
                result = result with { DefaultQuery = q };
            }

            if (Duration(map, "evaluation_timeout", "policies") is { } t)
            {
                result = result with { EvaluationTimeout = t };
            }

            return result;
        }

        private AuditConfig ReadAudit(YamlMappingNode? map, string dataDir)
        {
            var path = System.IO.Path.Combine(dataDir, "decisions.log");
            var maxFileSize = AuditConfig.DefaultMaxFileSize;
            var onFailure = AuditFailureMode.Deny;
            var durability = AuditDurability.Written;
            if (map is not null)
            {
                Keys(map, "audit", "path", "max_file_size", "on_failure", "durability");
                durability = Scalar(map, "durability", "audit") switch
                {
                    null or "written" => AuditDurability.Written,
                    "synced" => AuditDurability.Synced,
                    "async" => AuditDurability.Async,
                    var other => Bad<AuditDurability>("audit.durability", Child(map, "durability"), $"'{other}' is not one of written, synced, async", AuditDurability.Written),
                };
                onFailure = Scalar(map, "on_failure", "audit") switch
                {
                    null or "deny" => AuditFailureMode.Deny,
                    "allow" => AuditFailureMode.Allow,
                    var other => Bad<AuditFailureMode>("audit.on_failure", Child(map, "on_failure"), $"'{other}' is not one of deny, allow", AuditFailureMode.Deny),
                };
                if (Scalar(map, "path", "audit") is { } p)
                {
                    path = FilePath(p);
                }

                if (Scalar(map, "max_file_size", "audit") is { } size)
                {
                    if (size == "off")
                    {
                        maxFileSize = long.MaxValue;
                    }
                    else if (TryParseSize(size, out var bytes) && bytes >= 1024)
                    {
                        maxFileSize = bytes;
                    }
                    else
                    {
                        Error(ConfigErrorCodes.Invalid, "audit.max_file_size", Child(map, "max_file_size"), $"'{size}' is not a size of at least 1KB (e.g. 512MB, 1GB) or 'off'");
                    }
                }
            }

            return new AuditConfig { Path = path, MaxFileSize = maxFileSize, OnFailure = onFailure, Durability = durability };
        }

        private TelemetryConfig ReadTelemetry(YamlMappingNode? map)
        {
            if (map is null)
            {
                return new TelemetryConfig();
            }

            Keys(map, "telemetry", "metrics");
            var metrics = Map(map, "metrics", "telemetry", required: false);
            if (metrics is null)
            {
                return new TelemetryConfig();
            }

            Keys(metrics, "telemetry.metrics", "enabled", "allow");
            var enabled = true;
            if (Scalar(metrics, "enabled", "telemetry.metrics") is { } e)
            {
                if (e is "true" or "on" or "false" or "off")
                {
                    enabled = e is "true" or "on";
                }
                else
                {
                    Error(ConfigErrorCodes.Invalid, "telemetry.metrics.enabled", Child(metrics, "enabled"), $"'{e}' is not a boolean (true or false)");
                }
            }

            if (Child(metrics, "allow") is null)
            {
                return new TelemetryConfig { Metrics = new MetricsConfig { Enabled = enabled } };
            }

            var allow = new List<IPNetwork>();
            foreach (var (node, path) in Sequence(metrics, "allow", "telemetry.metrics"))
            {
                var text = ScalarValue(node, path);
                if (text is null)
                {
                    continue;
                }

                if (text == "*" || !TryParseNetwork(text, out var network))
                {
                    Error(text == "*" ? ConfigErrorCodes.Insecure : ConfigErrorCodes.Invalid, path, node, text == "*"
                        ? "a wildcard is refused: metrics reveal routes and traffic; list the scrapers' addresses or ranges"
                        : $"'{text}' is not an IP address or CIDR range");
                    continue;
                }

                if (network.PrefixLength == 0)
                {
                    Error(ConfigErrorCodes.Insecure, path, node, $"'{text}' lets every address scrape the metrics, which reveal routes and traffic; list the scrapers' addresses or ranges");
                    continue;
                }

                allow.Add(network);
            }

            return new TelemetryConfig { Metrics = new MetricsConfig { Enabled = enabled, Allow = allow } };
        }

        private List<RouteConfig> ReadRoutes(YamlMappingNode root, string defaultQuery)
        {
            var routes = new List<RouteConfig>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var seenMatch = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (node, path) in Sequence(root, "routes", ""))
            {
                if (node is not YamlMappingNode rm)
                {
                    Error(ConfigErrorCodes.Invalid, path, node, "expected a mapping");
                    continue;
                }

                Keys(rm, path, "name", "host", "path", "upstream", "upstreams", "upstream_ca", "upstream_timeout", "max_request_body", "preserve_host", "strip_path", "resource", "query", "auth", "jwt", "mode",
                    "allow_unusual_paths", "pass_headers", "method_override");
                var name = Scalar(rm, "name", path, required: true);
                if (name is not null && !seen.Add(name))
                {
                    Error(ConfigErrorCodes.Duplicate, path + ".name", Child(rm, "name"), $"route '{name}' is defined twice");
                }

                if (name is not null && (name.Length > 100 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))))
                {
                    Error(ConfigErrorCodes.Invalid, path + ".name", Child(rm, "name"), "route names use letters, digits, '-', '_' and '.' only");
                }

                var host = Scalar(rm, "host", path);
                if (host is not null)
                {
                    // Normalized exactly as the gateway normalizes the client's host, so the two forms always compare equal.
                    var hasPort = host.StartsWith('[') ? host.EndsWith(']') is false : host.Contains(':', StringComparison.Ordinal);
                    if (hasPort || Gateway.HostNormalizer.Normalize(host) is not { } normalizedHost)
                    {
                        Error(ConfigErrorCodes.Invalid, path + ".host", Child(rm, "host"), "host must be a DNS name (letters, digits, '-'), a dotted-quad IPv4 address or a bracketed IPv6 address, without port");
                    }
                    else
                    {
                        host = normalizedHost;
                    }
                }

                var routePath = Scalar(rm, "path", path) ?? "/";
                if (!routePath.StartsWith('/') || RequestNormalizerRules.IsAmbiguousConfigPath(routePath))
                {
                    Error(ConfigErrorCodes.Invalid, path + ".path", Child(rm, "path"), "path must start with '/' and contain no '//', '.', '..', '%', '\\' or ';'");
                }
                else if (routePath.StartsWith("/.vigil", StringComparison.OrdinalIgnoreCase) || routePath.StartsWith("/.well-known/openid-configuration", StringComparison.OrdinalIgnoreCase))
                {
                    Error(ConfigErrorCodes.Invalid, path + ".path", Child(rm, "path"), "paths under /.vigil are reserved for Vigil");
                }

                if (routePath.Length > 1)
                {
                    routePath = routePath.TrimEnd('/');
                }

                if (!seenMatch.Add((host ?? "*") + routePath))
                {
                    Error(ConfigErrorCodes.Duplicate, path + ".path", Child(rm, "path") ?? rm, $"another route already matches host '{host ?? "*"}' and path '{routePath}'");
                }

                var upstreams = new List<Uri>();
                if (Child(rm, "upstream") is { } single)
                {
                    if (AbsoluteUri(single, path + ".upstream", "http", "https") is { } u)
                    {
                        upstreams.Add(u);
                    }
                }

                foreach (var (un, up) in Sequence(rm, "upstreams", path))
                {
                    if (AbsoluteUri(un, up, "http", "https") is { } u)
                    {
                        upstreams.Add(u);
                    }
                }

                if (upstreams.Count == 0)
                {
                    Error(ConfigErrorCodes.Missing, path + ".upstreams", rm, "at least one upstream URL is required");
                }

                var upstreamTimeout = Duration(rm, "upstream_timeout", path) ?? RouteConfig.DefaultUpstreamTimeout;
                if (upstreamTimeout < TimeSpan.FromSeconds(1) || upstreamTimeout > TimeSpan.FromHours(1))
                {
                    Error(ConfigErrorCodes.Invalid, path + ".upstream_timeout", Child(rm, "upstream_timeout"), "upstream_timeout must be between 1s and 1h");
                }

                var preserveHost = RouteBool(rm, "preserve_host", path);
                var stripPath = RouteBool(rm, "strip_path", path);
                var allowUnusualPaths = RouteBool(rm, "allow_unusual_paths", path);
                var passHeaders = new List<string>();
                foreach (var (hn, hp) in Sequence(rm, "pass_headers", path))
                {
                    if (hn is YamlScalarNode { Value: { } headerName } && Gateway.RouteHeaderRules.PassError(headerName) is not { } passError)
                    {
                        passHeaders.Add(headerName);
                    }
                    else
                    {
                        Error(ConfigErrorCodes.Invalid, hp, hn, hn is YamlScalarNode { Value: { } n } ? Gateway.RouteHeaderRules.PassError(n)! : "expected a header name");
                    }
                }

                var methodOverride = Scalar(rm, "method_override", path) switch
                {
                    null or "strip" => MethodOverrideMode.Strip,
                    "decide" => MethodOverrideMode.Decide,
                    var other => Bad<MethodOverrideMode>(path + ".method_override", Child(rm, "method_override"), $"method_override '{other}' is not one of strip, decide", MethodOverrideMode.Strip),
                };
                long? maxRequestBody = RouteConfig.DefaultMaxRequestBody;
                if (Scalar(rm, "max_request_body", path) is { } bodyLimit)
                {
                    if (bodyLimit == "off")
                    {
                        maxRequestBody = null;
                    }
                    else if (TryParseSize(bodyLimit, out var bodyBytes))
                    {
                        maxRequestBody = bodyBytes;
                    }
                    else
                    {
                        Error(ConfigErrorCodes.Invalid, path + ".max_request_body", Child(rm, "max_request_body"), $"'{bodyLimit}' is not a size (e.g. 0, 64KB, 10MB, 2GB) or 'off'");
                    }
                }

                string? upstreamCa = null;
                if (Scalar(rm, "upstream_ca", path) is { } ca)
                {
                    upstreamCa = FilePath(ca);
                    var caNode = Child(rm, "upstream_ca");
                    if (upstreams.Count > 0 && upstreams.All(u => u.Scheme != "https"))
                    {
                        Error(ConfigErrorCodes.Invalid, path + ".upstream_ca", caNode, "upstream_ca applies to https upstreams, and this route has none");
                    }
                    else if (Gateway.Forwarding.UpstreamTrust.Load(upstreamCa) is { Error: { } caError })
                    {
                        Error(ConfigErrorCodes.Invalid, path + ".upstream_ca", caNode, caError);
                    }
                }

                ResourceConfig? resource = null;
                if (Map(rm, "resource", path, required: false) is { } resm)
                {
                    Keys(resm, path + ".resource", "name", "classification", "labels");
                    var classification = Scalar(resm, "classification", path + ".resource") ?? "internal";
                    if (classification is not ("public" or "internal" or "confidential" or "restricted"))
                    {
                        Error(ConfigErrorCodes.Invalid, path + ".resource.classification", Child(resm, "classification"), "classification is one of public, internal, confidential, restricted");
                    }

                    var labels = new Dictionary<string, string>(StringComparer.Ordinal);
                    if (Map(resm, "labels", path + ".resource", required: false) is { } labm)
                    {
                        foreach (var (k, v) in labm.Children)
                        {
                            if (k is YamlScalarNode ks && v is YamlScalarNode vs && ks.Value is not null)
                            {
                                labels[ks.Value] = vs.Value ?? "";
                            }
                            else
                            {
                                Error(ConfigErrorCodes.Invalid, path + ".resource.labels", k, "labels map strings to strings");
                            }
                        }
                    }

                    resource = new ResourceConfig { Name = Scalar(resm, "name", path + ".resource") ?? name ?? "", Classification = classification, Labels = labels };
                }

                var auth = Scalar(rm, "auth", path) switch
                {
                    null or "session" => AuthMode.Session,
                    "jwt" => AuthMode.Jwt,
                    "public" => AuthMode.Public,
                    var other => Bad<AuthMode>(path + ".auth", Child(rm, "auth"), $"auth '{other}' is not one of session, jwt, public", AuthMode.Session),
                };
                var mode = Scalar(rm, "mode", path) switch
                {
                    null or "enforce" => EnforcementMode.Enforce,
                    "audit" => EnforcementMode.Audit,
                    var other => Bad<EnforcementMode>(path + ".mode", Child(rm, "mode"), $"mode '{other}' is not one of enforce, audit", EnforcementMode.Enforce),
                };

                JwtRouteConfig? jwt = null;
                if (Map(rm, "jwt", path, required: false) is { } jm)
                {
                    Keys(jm, path + ".jwt", "issuer", "jwks_uri", "audiences");
                    Uri? issuer = null;
                    if (Child(jm, "issuer") is { } inode)
                    {
                        issuer = AbsoluteUri(inode, path + ".jwt.issuer", "http", "https");
                        if (issuer is not null && issuer.Scheme == "http" && !IsLoopbackHost(issuer.Host))
                        {
                            Error(ConfigErrorCodes.Insecure, path + ".jwt.issuer", inode, "a token issuer over plain HTTP is refused");
                        }
                    }
                    else
                    {
                        Error(ConfigErrorCodes.Missing, path + ".jwt.issuer", jm, "'issuer' is required");
                    }

                    Uri? jwks = null;
                    if (Child(jm, "jwks_uri") is { } jn)
                    {
                        jwks = AbsoluteUri(jn, path + ".jwt.jwks_uri", "http", "https");
                        if (jwks is not null && jwks.Scheme == "http" && !IsLoopbackHost(jwks.Host))
                        {
                            Error(ConfigErrorCodes.Insecure, path + ".jwt.jwks_uri", jn, "a JWKS URL over plain HTTP is refused");
                        }
                    }

                    var audiences = Sequence(jm, "audiences", path + ".jwt").Select(x => ScalarValue(x.Node, x.Path)).OfType<string>().ToList();
                    if (audiences.Count == 0)
                    {
                        Error(ConfigErrorCodes.Missing, path + ".jwt.audiences", jm, "at least one audience is required (tokens for other audiences must not be accepted)");
                    }

                    if (issuer is not null)
                    {
                        jwt = new JwtRouteConfig { Issuer = issuer, JwksUri = jwks, Audiences = audiences };
                    }
                }

                if (auth == AuthMode.Jwt && jwt is null && Child(rm, "jwt") is null)
                {
                    Error(ConfigErrorCodes.Missing, path + ".jwt", rm, "auth: jwt needs a 'jwt' section (issuer, audiences)");
                }

                var query = Scalar(rm, "query", path) ?? defaultQuery;
                if (name is not null && upstreams.Count > 0)
                {
                    routes.Add(new RouteConfig
                    {
                        Name = name,
                        Host = host,
                        UpstreamCa = upstreamCa,
                        UpstreamTimeout = upstreamTimeout,
                        MaxRequestBody = maxRequestBody,
                        PreserveHost = preserveHost,
                        StripPath = stripPath,
                        AllowUnusualPaths = allowUnusualPaths,
                        PassHeaders = passHeaders,
                        MethodOverride = methodOverride,
                        Path = routePath,
                        Upstreams = upstreams,
                        Resource = resource ?? new ResourceConfig { Name = name },
                        Query = query,
                        Auth = auth,
                        Jwt = jwt,
                        Mode = mode,
                    });
                }
            }

            return routes;
        }


        private bool RouteBool(YamlMappingNode map, string key, string path)
        {
            var text = Scalar(map, key, path);
            switch (text)
            {
                case null or "false" or "off":
                    return false;
                case "true" or "on":
                    return true;
                default:
                    Error(ConfigErrorCodes.Invalid, path + "." + key, Child(map, key), $"'{text}' is not a boolean (true or false)");
                    return false;
            }
        }

        private T Bad<T>(string path, YamlNode? node, string message, T fallback)
        {
            Error(ConfigErrorCodes.Invalid, path, node, message);
            return fallback;
        }

        private string FilePath(string value) => System.IO.Path.GetFullPath(System.IO.Path.Combine(baseDirectory, value));

        private void Keys(YamlMappingNode map, string path, params string[] allowed)
        {
            foreach (var key in map.Children.Keys)
            {
                var name = (key as YamlScalarNode)?.Value;
                if (name is null || Array.IndexOf(allowed, name) < 0)
                {
                    Error(ConfigErrorCodes.UnknownKey, Join(path, name ?? "?"), key, $"unknown key '{name}' (expected one of: {string.Join(", ", allowed)})");
                }
            }
        }

        private static YamlNode? Child(YamlMappingNode map, string key) =>
            map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

        private YamlMappingNode? Map(YamlMappingNode map, string key, string path, bool required)
        {
            var node = Child(map, key);
            if (node is null || node is YamlScalarNode { Value: null or "" })
            {
                if (required)
                {
                    Error(ConfigErrorCodes.Missing, Join(path, key), map, $"'{key}' is required");
                }

                return null;
            }

            if (node is YamlMappingNode m)
            {
                return m;
            }

            Error(ConfigErrorCodes.Invalid, Join(path, key), node, "expected a mapping");
            return null;
        }

        private List<(YamlNode Node, string Path)> Sequence(YamlMappingNode map, string key, string path)
        {
            var node = Child(map, key);
            var full = Join(path, key);
            return node switch
            {
                null or YamlScalarNode { Value: null or "" } => [],
                YamlSequenceNode seq => seq.Children.Select((n, i) => (n, $"{full}[{i}]")).ToList(),
                YamlScalarNode => [(node, full)],
                _ => Bad<List<(YamlNode, string)>>(full, node, "expected a list", []),
            };
        }

        private string? Scalar(YamlMappingNode map, string key, string path, bool required = false)
        {
            var node = Child(map, key);
            if (node is null)
            {
                if (required)
                {
                    Error(ConfigErrorCodes.Missing, Join(path, key), map, $"'{key}' is required");
                }

                return null;
            }

            var value = ScalarValue(node, Join(path, key));
            if (required && string.IsNullOrEmpty(value))
            {
                Error(ConfigErrorCodes.Missing, Join(path, key), node, $"'{key}' must not be empty");
                return null;
            }

            return value;
        }

        private string? ScalarValue(YamlNode node, string path)
        {
            if (node is YamlScalarNode s)
            {
                return s.Value;
            }

            Error(ConfigErrorCodes.Invalid, path, node, "expected a single value");
            return null;
        }

        private int? Int(YamlMappingNode map, string key, string path, int min, int max)
        {
            var text = Scalar(map, key, path);
            if (text is null)
            {
                return null;
            }

            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }

            Error(ConfigErrorCodes.Invalid, Join(path, key), Child(map, key), $"expected an integer from {min} to {max}");
            return null;
        }

        private TimeSpan? Duration(YamlMappingNode map, string key, string path)
        {
            var text = Scalar(map, key, path);
            if (text is null)
            {
                return null;
            }

            if (TryParseDuration(text, out var value))
            {
                return value;
            }

            Error(ConfigErrorCodes.Invalid, Join(path, key), Child(map, key), $"'{text}' is not a duration (e.g. 250ms, 30s, 15m, 8h, 1d)");
            return null;
        }

        private Uri? AbsoluteUri(YamlNode node, string path, params string[] schemes)
        {
            var text = ScalarValue(node, path);
            if (text is null)
            {
                return null;
            }

            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || Array.IndexOf(schemes, uri.Scheme) < 0)
            {
                Error(ConfigErrorCodes.Invalid, path, node, $"'{text}' is not an absolute {string.Join(" or ", schemes)} URL");
                return null;
            }

            if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment))
            {
                Error(ConfigErrorCodes.Invalid, path, node, "URLs must not carry user info or a fragment");
                return null;
            }

            return uri;
        }

        private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;
    }

    /// <summary>Parses a size: bytes, or a number with KB, MB or GB (powers of 1024).</summary>
    public static bool TryParseSize(string text, out long value)
    {
        value = 0;
        var unit = 1L;
        var number = text.Trim();
        foreach (var (suffix, factor) in new[] { ("KB", 1L << 10), ("MB", 1L << 20), ("GB", 1L << 30) })
        {
            if (number.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                unit = factor;
                number = number[..^suffix.Length].TrimEnd();
                break;
            }
        }

        if (!long.TryParse(number, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n > long.MaxValue / unit)
        {
            return false;
        }

        value = n * unit;
        return true;
    }

    /// <summary>Parses <c>250ms</c>, <c>30s</c>, <c>15m</c>, <c>8h</c>, <c>1d</c> or <c>hh:mm:ss</c>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        (string Suffix, double Ms)[] units = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)];
        foreach (var (suffix, ms) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 && n < 1e9)
            {
                if (suffix == "m" && text.EndsWith("ms", StringComparison.Ordinal))
                {
                    continue;
                }

                value = TimeSpan.FromMilliseconds(n * ms);
                return true;
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
    }

    internal static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    internal static bool TryParseNetwork(string text, out IPNetwork network)
    {
        if (IPNetwork.TryParse(text, out network))
        {
            return true;
        }

        if (IPAddress.TryParse(text, out var ip))
        {
            network = new IPNetwork(ip, ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return false;
    }
}
