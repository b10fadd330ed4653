namespace GpuVae.Kernels.Ilgpu;

/// <summary>
/// The accelerator the user asked for is absent or ILGPU cannot use it. The message is one
/// line that names the accelerator and the reason, fit to print as the program's last word.
/// </summary>
public sealed class AcceleratorUnavailableException : Exception
{
    public AcceleratorUnavailableException()
    {
    }

    public AcceleratorUnavailableException(string message)
        : base(message)
    {
    }

    public AcceleratorUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
