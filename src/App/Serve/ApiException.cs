namespace GpuVae.App.Serve;

/// <summary>A request the explorer refuses: its HTTP status and the reason, sent back as {"error": reason}.</summary>
public sealed class ApiException(int status, string reason) : Exception(reason)
{
    public int Status { get; } = status;
}
