using GpuVae.Kernels.Operations;

namespace GpuVae.Kernels;

/// <summary>
/// How the ILGPU sums over a long axis (BCE over an image's pixels, bias gradients over the
/// batch) share their work. Both are tested; each launcher picks one per accelerator type.
/// </summary>
public enum ReductionVariant
{
    /// <summary>One thread sums a row or column in order, no barriers: the kernel for ILGPU's CPU accelerator.</summary>
    PerThread = 0,

    /// <summary>
    /// A group of <see cref="Reductions.GroupSize"/> threads shares a row, or a block of
    /// columns, and adds its partial sums in shared memory in a fixed order: the GPU kernel.
    /// </summary>
    PerGroup = 1,
}
