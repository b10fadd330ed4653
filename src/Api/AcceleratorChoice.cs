namespace GpuVae;

/// <summary>Where a model runs: the command line's <c>--accelerator</c> values.</summary>
public enum AcceleratorChoice
{
    /// <summary>CUDA, then OpenCL, then <see cref="Host"/>: the first that is present and usable.</summary>
    Auto,

    /// <summary>An NVIDIA GPU through ILGPU's CUDA accelerator.</summary>
    Cuda,

    /// <summary>An OpenCL device through ILGPU (one with the generic address space ILGPU needs).</summary>
    OpenCL,

    /// <summary>ILGPU's CPU accelerator running the very kernels a GPU runs: slow, it is for checking kernels.</summary>
    Cpu,

    /// <summary>Plain .NET with SIMD on every core: the way to train without a GPU.</summary>
    Host,
}
