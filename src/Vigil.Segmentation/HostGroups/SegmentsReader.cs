using System.Net;
using System.Text.RegularExpressions;
using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.Kubernetes;
using Vigil.Segmentation.Model;
using YamlDotNet.RepresentationModel;

namespace Vigil.Segmentation.HostGroups;

/// <summary>Reads a <c>kind: Segments</c> document (schema in docs/segmentation.md), collecting every error.</summary>
internal static partial class SegmentsReader
{
    public static readonly string[] Sensitivities = ["none", "low", "medium", "high", "critical"];

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$")]
    private static partial Regex NameRegex();

    [GeneratedRegex("^(tcp|udp|sctp)/([0-9]{1,5})(-([0-9]{1,5}))?$")]
    private static partial Regex PortRegex();

    public static SegmentsModel? Read(YamlMappingNode map, YamlReader y)
    {
        y.CheckKeys(map, "Segments", "apiVersion", "kind", "metadata", "settings", "groups", "flows");
        var errorsBefore = ErrorCount(y);
        var name = "segments";
        if (y.Map(y.Get(map, "metadata"), "metadata") is { } meta)
        {
            y.CheckKeys(meta, "metadata", "name", "description");
            name = y.Str(y.Get(meta, "name"), "metadata.name") ?? name;
        }
        var settings = SegmentSettings.Default;
        if (y.Map(y.Get(map, "settings"), "settings") is { } s)
        {
            y.CheckKeys(s, "settings", "logPrefix", "logGroup", "table", "kubernetesNamespace");
            var prefix = y.Str(y.Get(s, "logPrefix"), "settings.logPrefix") ?? settings.LogPrefix;
            if (prefix.Length is 0 or > 16 || prefix.Any(c => c is '"' or '\\' || char.IsControl(c)))
                y.Diagnostics.Error(SegmentationErrorCodes.InvalidField, "settings.logPrefix must be 1-16 printable characters without quotes or backslashes (nft/iptables limit)", y.At(s));
            var table = y.Str(y.Get(s, "table"), "settings.table") ?? settings.TableName;
            if (!NameRegex().IsMatch(table))
                y.Diagnostics.Error(SegmentationErrorCodes.InvalidField, "settings.table must be a lower-case name", y.At(s));
            var group = y.Int(y.Get(s, "logGroup"), "settings.logGroup");
            if (group is < 0 or > 65535)
                y.Diagnostics.Error(SegmentationErrorCodes.InvalidField, "settings.logGroup must be 0-65535", y.At(s));
            settings = new SegmentSettings(prefix, table, y.Str(y.Get(s, "kubernetesNamespace"), "settings.kubernetesNamespace") ?? settings.KubernetesNamespace) { LogGroup = group };
        }

        var groups = new List<HostGroup>();
        var groupItems = y.Seq(y.Get(map, "groups"), "groups");
        if (groupItems is null || groupItems.Count == 0)
            y.Diagnostics.Error(SegmentationErrorCodes.MissingField, "groups is required and must not be empty", y.At(map));
        var hostNames = new Dictionary<string, SourceSpan>(StringComparer.Ordinal);
        foreach (var g in groupItems ?? [])
        {
            var group = ReadGroup(g, y, hostNames);
            if (group is null) continue;
            if (groups.Any(x => x.Name == group.Name))
                y.Diagnostics.Error(SegmentationErrorCodes.Duplicate, $"group '{group.Name}' is defined twice", group.Location);
            else
                groups.Add(group);
        }

        var flows = new List<GroupFlow>();
        var flowItems = y.Seq(y.Get(map, "flows"), "flows") ?? [];
        for (var i = 0; i < flowItems.Count; i++)
        {
            var flow = ReadFlow(flowItems[i], i, y, groups);
            if (flow is not null) flows.Add(flow);
        }
        if (ErrorCount(y) > errorsBefore) return null;
        return new SegmentsModel(name, settings, groups, flows, y.At(map));
    }

    private static int ErrorCount(YamlReader y) => y.Diagnostics.Items.Count(d => d.Severity == DiagnosticSeverity.Error);

    private static HostGroup? ReadGroup(YamlNode node, YamlReader y, Dictionary<string, SourceSpan> hostNames)
    {
        if (y.Map(node, "group") is not { } map) return null;
        y.CheckKeys(map, "group", "name", "description", "sensitivity", "labels", "hosts", "cidrs", "kubernetes");
        var name = y.Str(y.Get(map, "name"), "group.name");
        if (name is null || !NameRegex().IsMatch(name))
        {
            y.Diagnostics.Error(SegmentationErrorCodes.InvalidField, $"group name '{name}' must be 1-32 lower-case letters, digits or '-'", y.At(map));
            return null;
        }
        var sensitivity = y.Str(y.Get(map, "sensitivity"), "sensitivity") ?? "none";
        if (!Sensitivities.Contains(sensitivity))
            y.Diagnostics.Error(SegmentationErrorCodes.InvalidField, $"group {name}: sensitivity must be one of {string.Join(", ", Sensitivities)}", y.At(y.Get(map, "sensitivity")!));
        var hosts = new List<GroupHost>();
        foreach (var h in y.Seq(y.Get(map, "hosts"), "hosts") ?? [])
        {
            string? hostName;
            string? addressText;
            if (h is YamlScalarNode hs)
            {
                addressText = hs.Value;
                hostName = name + "-" + (hosts.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (y.Map(h, "host") is { } hm)
            {
                y.CheckKeys(hm, "host", "name", "address");
                hostName = y.Str(y.Get(hm, "name"), "host.name");
                addressText = y.Str(y.Get(hm, "address"), "host.address");
            }
            else continue;
            if (hostName is null || !NameRegex().IsMatch(hostName))
            {
                y.Diagnostics.Error(SegmentationErrorCodes.InvalidField, $"host name '{hostName}' must be 1-32 lower-case letters, digits or '-'", y.At(h));
                continue;
            }
            if (addressText is null || addressText.Contains('/', StringComparison.Ordinal) || !IPAddress.TryParse(addressText, out var address))
            {
                y.Diagnostics.Error(SegmentationErrorCodes.InvalidCidr, $"host {hostName}: address '{addressText}' is not an IP address", y.At(h));
                continue;
            }
            if (hostNames.TryGetValue(hostName, out var first))
            {
                y.Diagnostics.Error(SegmentationErrorCodes.Duplicate, $"host name '{hostName}' is used twice (first at {first})", y.At(h));
                continue;
            }
            hostNames[hostName] = y.At(h);
            hosts.Add(new GroupHost(hostName, address, y.At(h)));
        }
        var cidrs = new List<IPNetwork>();
        foreach (var c in y.Seq(y.Get(map, "cidrs"), "cidrs") ?? [])
        {
            var text = y.Str(c, "cidrs[]");
            if (text is null || !text.Contains('/', StringComparison.Ordinal) || !Cidr.TryParse(text, out var net))
            {
                y.Diagnostics.Error(SegmentationErrorCodes.InvalidCidr, $"group {name}: '{text}' is not a CIDR", y.At(c));
                continue;
            }
            cidrs.Add(net);
        }
        if (hosts.Count == 0 && cidrs.Count == 0)
            y.Diagnostics.Error(SegmentationErrorCodes.MissingField, $"group {name} needs at least one host or cidr", y.At(map));
        GroupKubernetesTarget? kube = null;
        if (y.Map(y.Get(map, "kubernetes"), "kubernetes") is { } km)
        {
            y.CheckKeys(km, "kubernetes", "namespace", "podSelector");
            var ns = y.Str(y.Get(km, "namespace"), "kubernetes.namespace");
            var selNode = y.Get(km, "podSelector");
            var sel = selNode is null ? null : KubernetesLoader.ReadSelector(selNode, y, "kubernetes.podSelector");
            kube = new GroupKubernetesTarget(ns ?? "", sel ?? new LabelSelector([new("vigil.dev/segment", name)], []));
        }
        var labels = new LabelSet(y.StringMap(y.Get(map, "labels"), "labels")).With("sensitivity", sensitivity);
        return new HostGroup(name, y.Str(y.Get(map, "description"), "description") ?? "", sensitivity, labels, hosts, cidrs, kube, y.At(map));
    }

    private static List<string> Names(YamlNode? node, YamlReader y, string what)
    {
        if (node is YamlScalarNode s && !YamlReader.IsNull(s)) return [s.Value!];
        return (y.Seq(node, what) ?? []).Select(n => y.Str(n, what) ?? "").ToList();
    }

    private static GroupFlow? ReadFlow(YamlNode node, int index, YamlReader y, List<HostGroup> groups)
    {
        if (y.Map(node, "flow") is not { } map) return null;
        y.CheckKeys(map, "flow", "from", "to", "ports", "description");
        var from = Names(y.Get(map, "from"), y, "from");
        var to = Names(y.Get(map, "to"), y, "to");
        var ok = true;
        if (from.Count == 0 || to.Count == 0)
        {
            y.Diagnostics.Error(SegmentationErrorCodes.MissingField, $"flows[{index}] needs from and to", y.At(map));
            ok = false;
        }
        foreach (var g in from.Concat(to))
        {
            if (!groups.Any(x => x.Name == g))
            {
                y.Diagnostics.Error(SegmentationErrorCodes.UnknownGroup, $"flows[{index}] names unknown group '{g}'", y.At(map));
                ok = false;
            }
        }
        var ports = PortSet.Empty;
        var portItems = y.Seq(y.Get(map, "ports"), "ports");
        if (portItems is null || portItems.Count == 0)
        {
            y.Diagnostics.Error(SegmentationErrorCodes.MissingField, $"flows[{index}] needs ports (e.g. [tcp/5432]); flows are minimal by design", y.At(map));
            ok = false;
        }
        foreach (var p in portItems ?? [])
        {
            var text = y.Str(p, "ports[]") ?? "";
            var m = PortRegex().Match(text.ToLowerInvariant());
            if (!m.Success)
            {
                y.Diagnostics.Error(SegmentationErrorCodes.InvalidPort, $"flows[{index}]: port '{text}' must look like tcp/443, udp/53 or tcp/8000-8080", y.At(p));
                ok = false;
                continue;
            }
            ProtocolNames.TryParse(m.Groups[1].Value, out var proto);
            var first = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            var last = m.Groups[4].Success ? int.Parse(m.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture) : first;
            if (first is < 1 or > 65535 || last < first || last > 65535)
            {
                y.Diagnostics.Error(SegmentationErrorCodes.InvalidPort, $"flows[{index}]: port range '{text}' must be within 1-65535 and ascending", y.At(p));
                ok = false;
                continue;
            }
            ports = ports.Union(PortSet.Of(proto, first, last));
        }
        return ok ? new GroupFlow(index, from, to, ports, y.Str(y.Get(map, "description"), "description") ?? "", y.At(map)) : null;
    }
}
