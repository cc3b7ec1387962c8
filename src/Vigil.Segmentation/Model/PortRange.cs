namespace Vigil.Segmentation.Model;

/// <summary>An inclusive port range of one protocol.</summary>
public readonly record struct PortRange(Protocol Protocol, int First, int Last)
{
    public override string ToString()
    {
        var p = ProtocolNames.Upper(Protocol);
        if (First == 1 && Last == 65535) return p + " *";
        return First == Last ? $"{p} {First}" : $"{p} {First}-{Last}";
    }
}
