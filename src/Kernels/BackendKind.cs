namespace GpuVae.Kernels;

/// <summary>
/// What --accelerator takes, in the order auto tries them after CUDA and OpenCL; each value's
/// name is its lower-case spelling (<see cref="BackendFactory.Name"/>), the one table that
/// parsing, help texts and <see cref="Backend.Kind"/> read.
/// </summary>
public enum BackendKind
{
    /// <summary>CUDA, else OpenCL, else host.</summary>
    Auto = 0,
    Cuda = 1,
    OpenCl = 2,

    /// <summary>ILGPU's CPU accelerator: the GPU kernels run on the CPU, for checking them.</summary>
    Cpu = 3,

    /// <summary>Plain .NET with SIMD, no ILGPU.</summary>
    Host = 4,
}
