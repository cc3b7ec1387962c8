using Vigil.Policy.Values;

namespace Vigil.Policy.Loading;

/// <summary>Policy modules and data read from files, ready to give to a <see cref="PolicyEngine"/>.</summary>
public sealed class PolicyBundle
{
    internal PolicyBundle(IReadOnlyList<PolicyFile> modules, Value data, IReadOnlyList<string> dataFiles)
    {
        Modules = modules;
        Data = data;
        DataFiles = dataFiles;
    }

    /// <summary>The Rego modules, in a stable (path) order.</summary>
    public IReadOnlyList<PolicyFile> Modules { get; }

    /// <summary>The merged base document.</summary>
    public Value Data { get; }

    /// <summary>The data files that were read.</summary>
    public IReadOnlyList<string> DataFiles { get; }

    /// <summary>Creates an engine holding these modules and data.</summary>
    public PolicyEngine CreateEngine(PolicyOptions? options = null)
    {
        var engine = new PolicyEngine(options);
        foreach (var module in Modules)
        {
            engine.AddModule(module.Path, module.Text);
        }

        engine.AddData(Data);
        return engine;
    }
}

/// <summary>One Rego source file.</summary>
public sealed record PolicyFile(string Path, string Text);
