namespace GpuVae.App;

/// <summary>A bad option value: reported as one line and exit code 2, like a parse error.</summary>
public sealed class UsageException(string message) : Exception(message);
