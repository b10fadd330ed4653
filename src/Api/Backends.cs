using GpuVae.Kernels;
using GpuVae.Kernels.Ilgpu;

namespace GpuVae;

/// <summary>An <see cref="AcceleratorChoice"/> and device index made into a backend, as the command line's --accelerator and --device are.</summary>
internal static class Backends
{
    /// <summary>The backend, and the lines the choice logged (which device, why auto picked it).</summary>
    public static (Backend Backend, string Description) Create(AcceleratorChoice accelerator, int device, string deviceParameter)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(device, deviceParameter);
        var lines = new List<string>();
        try
        {
            var backend = BackendFactory.Create(Name(accelerator), device, lines.Add);
            return (backend, string.Join("; ", lines));
        }
        catch (AcceleratorUnavailableException e)
        {
            throw new InvalidOperationException($"accelerator {Name(accelerator)} is not available: {e.Message}", e);
        }
    }

    /// <summary>BackendFactory's name of a choice: auto, cuda, opencl, cpu, host.</summary>
    public static string Name(AcceleratorChoice accelerator) => accelerator switch
    {
        AcceleratorChoice.Auto => "auto",
        AcceleratorChoice.Cuda => "cuda",
        AcceleratorChoice.OpenCL => "opencl",
        AcceleratorChoice.Cpu => "cpu",
        AcceleratorChoice.Host => "host",
        _ => throw new ArgumentOutOfRangeException(nameof(accelerator), accelerator, $"not an {nameof(AcceleratorChoice)}"),
    };
}
