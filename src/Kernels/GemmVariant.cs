namespace GpuVae.Kernels;

/// <summary>The ILGPU GEMM kernels; every one is tested, the backend picks one per accelerator type.</summary>
public enum GemmVariant
{
    /// <summary>One output per loop iteration straight from global memory: the simple version.</summary>
    Naive = 0,

    /// <summary>Shared-memory tiles with group barriers: the GPU kernel.</summary>
    Tiled = 1,

    /// <summary>An 8x8 block of C per thread, no barriers: the kernel for ILGPU's CPU accelerator.</summary>
    RegisterBlocked = 2,

    /// <summary>
    /// Shared-memory tiles of 64 x 64 with a 4 x 4 register block per thread. At the model's
    /// shapes it makes too few groups (16 for B x H) to fill a GPU: on an H100 it ran 0.31 of
    /// cuBLAS's speed over a step's GEMMs, where Tiled ran 0.90.
    /// </summary>
    TiledBlocked = 3,

    /// <summary>
    /// Tiled with K split into layers of 128 that run side by side, then added in order by a
    /// second kernel: more groups to hide memory latency in the deep GEMMs (K = 784).
    /// </summary>
    SplitK = 4,
}
