using System.Net;
using System.Text.RegularExpressions;
using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.HostGroups;
using Vigil.Segmentation.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vigil.Segmentation.Kubernetes;

/// <summary>
/// Reads Kubernetes YAML/JSON (multi-document files, <c>List</c> objects, directories, <c>kubectl get namespaces,pods -A -o yaml</c>)
/// and Vigil <c>Segments</c> documents. Every problem becomes a diagnostic with file and line; nothing is skipped silently.
/// </summary>
public static partial class KubernetesLoader
{
    public const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    /// <summary>Largest file accepted (hostile input must not exhaust memory).</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    private const int MaxListDepth = 4;

    /// <summary>Deepest YAML nesting accepted (real manifests stay far below).</summary>
    public const int MaxNesting = 64;

    public static LoadResult LoadPaths(IEnumerable<string> paths)
    {
        var state = new State();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal);
                foreach (var f in files) LoadFile(f, state);
            }
            else if (File.Exists(path))
            {
                LoadFile(path, state);
            }
            else
            {
                state.Bag.Error(SegmentationErrorCodes.Io, $"no such file or directory: {path}", new SourceSpan(path, 0, 0));
            }
        }
        return state.Finish();
    }

    public static LoadResult LoadText(string text, string fileName = "input.yaml")
    {
        var state = new State();
        LoadDocuments(text, fileName, state);
        return state.Finish();
    }

    /// <summary>Loads several named texts as if they were files (used by tests and the benchmark).</summary>
    public static LoadResult LoadTexts(IEnumerable<(string FileName, string Text)> texts)
    {
        var state = new State();
        foreach (var (name, text) in texts) LoadDocuments(text, name, state);
        return state.Finish();
    }

    private static void LoadFile(string file, State state)
    {
        try
        {
            var info = new FileInfo(file);
            if (info.Length > MaxFileBytes)
            {
                state.Bag.Error(SegmentationErrorCodes.TooLarge, $"file is larger than {MaxFileBytes} bytes", new SourceSpan(file, 0, 0));
                return;
            }
            LoadDocuments(File.ReadAllText(file), file, state);
        }
        catch (IOException ex)
        {
            state.Bag.Error(SegmentationErrorCodes.Io, ex.Message, new SourceSpan(file, 0, 0));
        }
        catch (UnauthorizedAccessException ex)
        {
            state.Bag.Error(SegmentationErrorCodes.Io, ex.Message, new SourceSpan(file, 0, 0));
        }
    }

    private static void LoadDocuments(string text, string file, State state)
    {
        var stream = new YamlStream();
        try
        {
            // Hostile input: reject deep nesting before the (recursive) representation model sees it.
            var parser = new Parser(new StringReader(text));
            var depth = 0;
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart:
                        if (++depth > MaxNesting)
                        {
                            state.Bag.Error(SegmentationErrorCodes.TooLarge, $"YAML nested deeper than {MaxNesting} levels", new SourceSpan(file, checked((int)parser.Current.Start.Line), checked((int)parser.Current.Start.Column)));
                            return;
                        }
                        break;
                    case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                        depth--;
                        break;
                }
            }
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            state.Bag.Error(SegmentationErrorCodes.YamlSyntax, $"invalid YAML: {ex.Message}", new SourceSpan(file, checked((int)ex.Start.Line), checked((int)ex.Start.Column)));
            return;
        }
        var y = new YamlReader(file, state.Bag);
        foreach (var doc in stream.Documents)
        {
            if (YamlReader.IsNull(doc.RootNode)) continue;
            LoadObject(doc.RootNode, y, state, 0);
        }
    }

    private static void LoadObject(YamlNode node, YamlReader y, State state, int depth)
    {
        if (node is not YamlMappingNode map)
        {
            y.Diagnostics.Error(SegmentationErrorCodes.InvalidField, "a document must be a mapping with apiVersion and kind", y.At(node));
            return;
        }
        var kind = y.Str(y.Get(map, "kind"), "kind");
        var apiVersion = y.Str(y.Get(map, "apiVersion"), "apiVersion") ?? "";
        switch (kind)
        {
            case null:
                y.Diagnostics.Error(SegmentationErrorCodes.MissingField, "kind is required", y.At(map));
                return;
            case "List" or "NetworkPolicyList" or "PodList" or "NamespaceList":
                if (depth >= MaxListDepth)
                {
                    y.Diagnostics.Error(SegmentationErrorCodes.TooLarge, "lists nested too deeply", y.At(map));
                    return;
                }
                foreach (var item in y.Seq(y.Get(map, "items"), "items") ?? [])
                    LoadObject(item, y, state, depth + 1);
                return;
            case "NetworkPolicy":
                if (apiVersion != "networking.k8s.io/v1")
                {
                    y.Diagnostics.Error(SegmentationErrorCodes.InvalidField, $"NetworkPolicy apiVersion must be networking.k8s.io/v1, not '{apiVersion}'", y.At(map));
                    return;
                }
                state.KubeObjects++;
                var policy = ReadPolicy(map, y);
                if (policy is not null) state.AddPolicy(policy, y);
                return;
            case "Pod":
                state.KubeObjects++;
                var pod = ReadPod(map, y);
                if (pod is not null) state.AddPod(pod, y);
                return;
            case "Namespace":
                state.KubeObjects++;
                var ns = ReadNamespace(map, y);
                if (ns is not null) state.AddNamespace(ns, y);
                return;
            case "Segments":
                if (apiVersion != "vigil.dev/v1")
                {
                    y.Diagnostics.Error(SegmentationErrorCodes.InvalidField, $"Segments apiVersion must be vigil.dev/v1, not '{apiVersion}'", y.At(map));
                    return;
                }
                var segments = SegmentsReader.Read(map, y);
                if (segments is null) return;
                if (state.Segments is not null)
                    y.Diagnostics.Error(SegmentationErrorCodes.Duplicate, $"only one Segments document is allowed (first at {state.Segments.Location})", y.At(map));
                else
                    state.Segments = segments;
                return;
            default:
                y.Diagnostics.Warning(SegmentationErrorCodes.IgnoredKind, $"kind '{kind}' is not analysed (only NetworkPolicy, Pod, Namespace, List and Segments are); ignored", y.At(map));
                return;
        }
    }

    private static (string? Name, string? Namespace, List<KeyValuePair<string, string>> Labels) ReadMetadata(YamlMappingNode map, YamlReader y, string kind)
    {
        var meta = y.Map(y.Get(map, "metadata"), kind + ".metadata", required: true, parent: map);
        if (meta is null) return (null, null, []);
        var name = y.Str(y.Get(meta, "name"), "metadata.name");
        if (string.IsNullOrEmpty(name)) y.Diagnostics.Error(SegmentationErrorCodes.MissingField, kind + " metadata.name is required", y.At(meta));
        var ns = y.Str(y.Get(meta, "namespace"), "metadata.namespace");
        return (name, ns, y.StringMap(y.Get(meta, "labels"), "metadata.labels"));
    }

    private static KubeNamespace? ReadNamespace(YamlMappingNode map, YamlReader y)
    {
        var (name, _, labels) = ReadMetadata(map, y, "Namespace");
        if (string.IsNullOrEmpty(name)) return null;
        var set = new LabelSet(labels);
        // The API server sets this label on every namespace (Kubernetes 1.21+).
        set = set.With(NamespaceNameLabel, name);
        return new KubeNamespace(name, set, y.At(map));
    }

    private static KubePod? ReadPod(YamlMappingNode map, YamlReader y)
    {
        var (name, ns, labels) = ReadMetadata(map, y, "Pod");
        if (string.IsNullOrEmpty(name)) return null;
        var ports = new List<ContainerPort>();
        var spec = y.Map(y.Get(map, "spec"), "Pod.spec");
        if (spec is not null)
        {
            if (y.Str(y.Get(spec, "hostNetwork"), "spec.hostNetwork") is "true")
                y.Diagnostics.Warning(SegmentationErrorCodes.IgnoredKind, $"pod {ns ?? "default"}/{name} uses hostNetwork: NetworkPolicy does not reliably apply to it; analysed as an ordinary pod", y.At(map));
            foreach (var c in y.Seq(y.Get(spec, "containers"), "spec.containers") ?? [])
            {
                if (y.Map(c, "container") is not { } cm) continue;
                foreach (var p in y.Seq(y.Get(cm, "ports"), "container.ports") ?? [])
                {
                    if (y.Map(p, "container port") is not { } pm) continue;
                    var number = y.Int(y.Get(pm, "containerPort"), "containerPort");
                    var protoText = y.Str(y.Get(pm, "protocol"), "protocol") ?? "TCP";
                    if (!TryProtocol(protoText, out var proto))
                    {
                        y.Diagnostics.Error(SegmentationErrorCodes.InvalidPort, $"container port protocol must be TCP, UDP or SCTP, not '{protoText}'", y.At(pm));
                        continue;
                    }
                    if (number is null or < 1 or > 65535)
                    {
                        y.Diagnostics.Error(SegmentationErrorCodes.InvalidPort, "containerPort must be 1-65535", y.At(pm));
                        continue;
                    }
                    ports.Add(new ContainerPort(y.Str(y.Get(pm, "name"), "port name"), number.Value, proto));
                }
            }
        }
        string? ip = null;
        if (y.Map(y.Get(map, "status"), "Pod.status") is { } status)
        {
            ip = y.Str(y.Get(status, "podIP"), "status.podIP");
            var phase = y.Str(y.Get(status, "phase"), "status.phase");
            if (phase is "Succeeded" or "Failed")
            {
                y.Diagnostics.Warning(SegmentationErrorCodes.IgnoredKind, $"pod {ns ?? "default"}/{name} is {phase} (not running); ignored", y.At(map));
                return null;
            }
        }
        return new KubePod(ns ?? "default", name, new LabelSet(labels), ports, ip, y.At(map));
    }

    private static NetworkPolicy? ReadPolicy(YamlMappingNode map, YamlReader y)
    {
        var before = y.Diagnostics.Items.Count(d => d.Severity == DiagnosticSeverity.Error);
        y.CheckKeys(map, "NetworkPolicy", "apiVersion", "kind", "metadata", "spec", "status");
        var (name, ns, _) = ReadMetadata(map, y, "NetworkPolicy");
        var spec = y.Map(y.Get(map, "spec"), "NetworkPolicy.spec", required: true, parent: map);
        if (spec is null || string.IsNullOrEmpty(name)) return null;
        y.CheckKeys(spec, "NetworkPolicy.spec", "podSelector", "policyTypes", "ingress", "egress");

        var podSelectorNode = y.Get(spec, "podSelector");
        LabelSelector podSelector;
        if (podSelectorNode is null)
        {
            y.Diagnostics.Error(SegmentationErrorCodes.MissingField, "spec.podSelector is required (use {} to select every pod in the namespace)", y.At(spec));
            podSelector = LabelSelector.Everything;
        }
        else
        {
            podSelector = ReadSelector(podSelectorNode, y, "spec.podSelector") ?? LabelSelector.Everything;
        }

        bool ingressType = false, egressType = false, explicitTypes = false;
        var typesNode = y.Get(spec, "policyTypes");
        var types = y.Seq(typesNode, "spec.policyTypes");
        if (types is { Count: > 0 })
        {
            explicitTypes = true;
            foreach (var t in types)
            {
                switch (y.Str(t, "policyType"))
                {
                    case "Ingress": ingressType = true; break;
                    case "Egress": egressType = true; break;
                    default:
                        y.Diagnostics.Error(SegmentationErrorCodes.InvalidField, "policyTypes entries must be Ingress or Egress", y.At(t));
                        break;
                }
            }
        }

        var ingressNode = y.Get(spec, "ingress");
        var egressNode = y.Get(spec, "egress");
        var ingress = ReadRules(ingressNode, y, "ingress", "from");
        var egress = ReadRules(egressNode, y, "egress", "to");
        if (!explicitTypes)
        {
            // Kubernetes defaulting: Ingress always; Egress only when there is at least one egress rule.
            ingressType = true;
            egressType = egress.Count > 0;
        }
        if (y.Diagnostics.Items.Count(d => d.Severity == DiagnosticSeverity.Error) > before) return null;
        return new NetworkPolicy(ns ?? "default", name, podSelector, ingressType, egressType, explicitTypes, ingress, egress, y.At(map))
        {
            HasEgressSection = egressNode is not null,
        };
    }

    private static List<PolicyRule> ReadRules(YamlNode? node, YamlReader y, string direction, string peersKey)
    {
        var rules = new List<PolicyRule>();
        var items = y.Seq(node, "spec." + direction);
        if (items is null) return rules;
        for (var i = 0; i < items.Count; i++)
        {
            var what = $"spec.{direction}[{i}]";
            if (YamlReader.IsNull(items[i]))
            {
                // "- {}" or "- " : a rule with no peers and no ports allows everything.
                rules.Add(new PolicyRule(i, null, null, y.At(items[i])));
                continue;
            }
            if (y.Map(items[i], what) is not { } rm) continue;
            y.CheckKeys(rm, what, peersKey, "ports");
            List<PolicyPeer>? peers = null;
            var peerItems = y.Seq(y.Get(rm, peersKey), what + "." + peersKey);
            if (peerItems is { Count: > 0 })
            {
                peers = [];
                for (var j = 0; j < peerItems.Count; j++)
                {
                    var peer = ReadPeer(peerItems[j], y, $"{what}.{peersKey}[{j}]");
                    if (peer is not null) peers.Add(peer);
                }
            }
            List<PolicyPort>? ports = null;
            var portItems = y.Seq(y.Get(rm, "ports"), what + ".ports");
            if (portItems is { Count: > 0 })
            {
                ports = [];
                for (var j = 0; j < portItems.Count; j++)
                {
                    var port = ReadPort(portItems[j], y, $"{what}.ports[{j}]");
                    if (port is not null) ports.Add(port);
                }
            }
            rules.Add(new PolicyRule(i, peers, ports, y.At(rm)));
        }
        return rules;
    }

    private static PolicyPeer? ReadPeer(YamlNode node, YamlReader y, string what)
    {
        var map = y.Map(node, what);
        if (map is null)
        {
            if (YamlReader.IsNull(node)) y.Diagnostics.Error(SegmentationErrorCodes.InvalidField, what + " must set podSelector, namespaceSelector or ipBlock", y.At(node));
            return null;
        }
        y.CheckKeys(map, what, "podSelector", "namespaceSelector", "ipBlock");
        var podNode = y.Get(map, "podSelector");
        var nsNode = y.Get(map, "namespaceSelector");
        var ipNode = y.Get(map, "ipBlock");
        if (ipNode is not null && (podNode is not null || nsNode is not null))
        {
            y.Diagnostics.Error(SegmentationErrorCodes.InvalidField, what + ": ipBlock cannot be combined with podSelector or namespaceSelector", y.At(map));
            return null;
        }
        if (ipNode is null && podNode is null && nsNode is null)
        {
            y.Diagnostics.Error(SegmentationErrorCodes.InvalidField, what + " must set podSelector, namespaceSelector or ipBlock", y.At(map));
            return null;
        }
        if (ipNode is not null)
        {
            var block = ReadIpBlock(ipNode, y, what + ".ipBlock");
            return block is null ? null : new PolicyPeer(null, null, block, y.At(map));
        }
        var pod = podNode is null ? null : ReadSelector(podNode, y, what + ".podSelector");
        var ns = nsNode is null ? null : ReadSelector(nsNode, y, what + ".namespaceSelector");
        return new PolicyPeer(pod, ns, null, y.At(map));
    }

    private static AddressBlock? ReadIpBlock(YamlNode node, YamlReader y, string what)
    {
        if (y.Map(node, what, required: true) is not { } map) return null;
        y.CheckKeys(map, what, "cidr", "except");
        var cidrText = y.Str(y.Get(map, "cidr"), what + ".cidr");
        if (cidrText is null)
        {
            y.Diagnostics.Error(SegmentationErrorCodes.MissingField, what + ".cidr is required", y.At(map));
            return null;
        }
        if (!Cidr.TryParse(cidrText, out var cidr) || !cidrText.Contains('/', StringComparison.Ordinal))
        {
            y.Diagnostics.Error(SegmentationErrorCodes.InvalidCidr, $"{what}.cidr '{cidrText}' is not a CIDR", y.At(y.Get(map, "cidr")!));
            return null;
        }
        var except = new List<IPNetwork>();
        var ok = true;
        foreach (var e in y.Seq(y.Get(map, "except"), what + ".except") ?? [])
        {
            var text = y.Str(e, what + ".except");
            if (text is null || !Cidr.TryParse(text, out var ex) || !text.Contains('/', StringComparison.Ordinal))
            {
                y.Diagnostics.Error(SegmentationErrorCodes.InvalidCidr, $"{what}.except '{text}' is not a CIDR", y.At(e));
                ok = false;
                continue;
            }
            if (!Cidr.Within(ex, cidr) || ex.PrefixLength == cidr.PrefixLength)
            {
                y.Diagnostics.Error(SegmentationErrorCodes.InvalidCidr, $"{what}.except '{text}' must be strictly inside cidr {cidr}", y.At(e));
                ok = false;
                continue;
            }
            except.Add(ex);
        }
        return ok ? new AddressBlock(cidr, except) : null;
    }

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$")]
    private static partial Regex PortNameRegex();

    private static PolicyPort? ReadPort(YamlNode node, YamlReader y, string what)
    {
        if (YamlReader.IsNull(node)) return new PolicyPort(Protocol.Tcp, null, null, null, y.At(node));
        if (y.Map(node, what) is not { } map) return null;
        y.CheckKeys(map, what, "protocol", "port", "endPort");
        var protoText = y.Str(y.Get(map, "protocol"), what + ".protocol") ?? "TCP";
        if (!TryProtocol(protoText, out var proto))
        {
            y.Diagnostics.Error(SegmentationErrorCodes.InvalidPort, $"{what}.protocol must be TCP, UDP or SCTP, not '{protoText}'", y.At(map));
            return null;
        }
        int? port = null;
        string? named = null;
        var portNode = y.Get(map, "port");
        if (!YamlReader.IsNull(portNode))
        {
            if (portNode is YamlScalarNode s && s.Style == ScalarStyle.Plain && int.TryParse(s.Value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n))
            {
                if (n is < 1 or > 65535)
                {
                    y.Diagnostics.Error(SegmentationErrorCodes.InvalidPort, $"{what}.port {n} is outside 1-65535", y.At(portNode));
                    return null;
                }
                port = n;
            }
            else if (portNode is YamlScalarNode s2)
            {
                named = s2.Value ?? "";
                if (!PortNameRegex().IsMatch(named) || !named.Any(char.IsAsciiLetter) || named.Contains("--", StringComparison.Ordinal))
                {
                    y.Diagnostics.Error(SegmentationErrorCodes.InvalidPort, $"{what}.port '{named}' is neither a number nor a valid port name (IANA_SVC_NAME: 1-15 lowercase letters, digits, '-', at least one letter)", y.At(portNode));
                    return null;
                }
            }
            else
            {
                y.Diagnostics.Error(SegmentationErrorCodes.InvalidPort, $"{what}.port must be a number or a name", y.At(portNode!));
                return null;
            }
        }
        var end = y.Int(y.Get(map, "endPort"), what + ".endPort");
        if (end is not null)
        {
            if (port is null)
            {
                y.Diagnostics.Error(SegmentationErrorCodes.InvalidPort, $"{what}.endPort requires a numeric port", y.At(map));
                return null;
            }
            if (end < port || end > 65535)
            {
                y.Diagnostics.Error(SegmentationErrorCodes.InvalidPort, $"{what}.endPort {end} must be between port {port} and 65535", y.At(map));
                return null;
            }
        }
        return new PolicyPort(proto, port, named, end, y.At(map));
    }

    private static bool TryProtocol(string text, out Protocol protocol)
    {
        // The API is case-sensitive: only the upper-case names are valid.
        protocol = Protocol.Tcp;
        return text is "TCP" or "UDP" or "SCTP" && ProtocolNames.TryParse(text, out protocol);
    }

    internal static LabelSelector? ReadSelector(YamlNode node, YamlReader y, string what)
    {
        if (YamlReader.IsNull(node)) return LabelSelector.Everything;
        if (y.Map(node, what) is not { } map) return null;
        y.CheckKeys(map, what, "matchLabels", "matchExpressions");
        var labels = y.StringMap(y.Get(map, "matchLabels"), what + ".matchLabels");
        var exprs = new List<SelectorRequirement>();
        foreach (var e in y.Seq(y.Get(map, "matchExpressions"), what + ".matchExpressions") ?? [])
        {
            if (y.Map(e, what + ".matchExpressions[]") is not { } em) continue;
            y.CheckKeys(em, what + ".matchExpressions[]", "key", "operator", "values");
            var key = y.Str(y.Get(em, "key"), "key");
            var opText = y.Str(y.Get(em, "operator"), "operator");
            var values = (y.Seq(y.Get(em, "values"), "values") ?? []).Select(v => y.Str(v, "values[]") ?? "").ToList();
            if (string.IsNullOrEmpty(key))
            {
                y.Diagnostics.Error(SegmentationErrorCodes.InvalidSelector, what + ": matchExpressions key is required", y.At(em));
                continue;
            }
            SelectorOperator op;
            switch (opText)
            {
                case "In": op = SelectorOperator.In; break;
                case "NotIn": op = SelectorOperator.NotIn; break;
                case "Exists": op = SelectorOperator.Exists; break;
                case "DoesNotExist": op = SelectorOperator.DoesNotExist; break;
                default:
                    y.Diagnostics.Error(SegmentationErrorCodes.InvalidSelector, $"{what}: operator must be In, NotIn, Exists or DoesNotExist, not '{opText}'", y.At(em));
                    continue;
            }
            if (op is SelectorOperator.In or SelectorOperator.NotIn && values.Count == 0)
            {
                y.Diagnostics.Error(SegmentationErrorCodes.InvalidSelector, $"{what}: operator {opText} needs at least one value", y.At(em));
                continue;
            }
            if (op is SelectorOperator.Exists or SelectorOperator.DoesNotExist && values.Count > 0)
            {
                y.Diagnostics.Error(SegmentationErrorCodes.InvalidSelector, $"{what}: operator {opText} must not have values", y.At(em));
                continue;
            }
            exprs.Add(new SelectorRequirement(key, op, values));
        }
        return new LabelSelector(labels, exprs);
    }

    private sealed class State
    {
        public DiagnosticBag Bag { get; } = new();
        public List<KubeNamespace> Namespaces { get; } = [];
        public List<KubePod> Pods { get; } = [];
        public List<NetworkPolicy> Policies { get; } = [];
        public SegmentsModel? Segments { get; set; }
        public int KubeObjects { get; set; }
        private readonly Dictionary<string, SourceSpan> _seen = new(StringComparer.Ordinal);

        private bool Unique(string key, SourceSpan at, YamlReader y)
        {
            if (_seen.TryGetValue(key, out var first))
            {
                y.Diagnostics.Error(SegmentationErrorCodes.Duplicate, $"duplicate {key} (first defined at {first})", at);
                return false;
            }
            _seen[key] = at;
            return true;
        }

        public void AddPolicy(NetworkPolicy p, YamlReader y) { if (Unique("NetworkPolicy " + p.Id, p.Location, y)) Policies.Add(p); }

        public void AddPod(KubePod p, YamlReader y) { if (Unique("Pod " + p.Id, p.Location, y)) Pods.Add(p); }

        public void AddNamespace(KubeNamespace n, YamlReader y) { if (Unique("Namespace " + n.Name, n.Location, y)) Namespaces.Add(n); }

        public LoadResult Finish() => new(new ClusterModel(Namespaces, Pods, Policies), Segments, Bag.Items, KubeObjects);
    }
}
