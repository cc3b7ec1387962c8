using Vigil.Segmentation.Kubernetes;
using Vigil.Segmentation.Reachability;
using YamlDotNet.RepresentationModel;
using static Vigil.Segmentation.Tests.Support.Yaml;

namespace Vigil.Segmentation.Tests.Reachability;

public sealed class SemanticsTableTests
{
    private static readonly string Inventory =
        Namespace("a", "team: x, env: prod") + Namespace("b", "team: y") +
        Pod("a", "web", "app: web", "{ name: http, containerPort: 8080 }, { name: dns, containerPort: 53, protocol: UDP }") +
        Pod("a", "db", "app: db, tier: data", "{ name: pg, containerPort: 5432 }") +
        Pod("b", "client", "app: client") +
        Pod("b", "web", "app: web", "{ name: http, containerPort: 9090 }");

    private static YamlSequenceNode Cases()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reachability", "Cases", "semantics.yaml"))));
        return (YamlSequenceNode)stream.Documents[0].RootNode;
    }

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases()) data.Add(((YamlScalarNode)((YamlMappingNode)c)["name"]).Value!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Analyze_SemanticsCase_MatchesTable(string name)
    {
        var c = (YamlMappingNode)Cases().Single(x => ((YamlScalarNode)((YamlMappingNode)x)["name"]).Value == name);
        var policies = ((YamlScalarNode)c["policies"]).Value!;
        // Each "spec:" document becomes a NetworkPolicy in namespace a.
        var docs = policies.Split("---", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var text = Inventory + string.Concat(docs.Select((d, i) => $"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{ name: p{i}, namespace: a }}\n{d}\n---\n"));
        var load = KubernetesLoader.LoadText(text, name);
        Assert.False(load.HasErrors, string.Join("\n", load.Diagnostics));
        var m = KubernetesAnalyzer.Analyze(load.Cluster);
        foreach (var line in ((YamlSequenceNode)c["expect"]).Select(x => ((YamlScalarNode)x).Value!))
        {
            var arrow = line.IndexOf(" -> ", StringComparison.Ordinal);
            var colon = line.IndexOf(": ", arrow, StringComparison.Ordinal);
            var src = line[..arrow];
            var dst = line[(arrow + 4)..colon];
            Assert.True(m.IndexOf(src) >= 0 && m.IndexOf(dst) >= 0, line);
            Assert.Equal(line, $"{src} -> {dst}: {Allowed(m, src, dst)}");
        }
    }
}
