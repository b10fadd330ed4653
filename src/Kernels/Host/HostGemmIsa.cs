namespace GpuVae.Kernels.Host;

/// <summary>
/// The vector width of HostGemm's micro-kernel. Chosen at run time (HostGemm.BestIsa) because
/// the same binary runs on AVX2-only machines (Zen 3) and AVX-512 ones (Zen 4/5); the
/// narrower ones stay selectable so tests and benchmarks cover every path on any machine.
/// </summary>
internal enum HostGemmIsa
{
    /// <summary>Vector128 with MultiplyAddEstimate: runs anywhere (software fallback included).</summary>
    Vector128,

    /// <summary>Vector256 with FMA (AVX2 + FMA3).</summary>
    Vector256,

    /// <summary>Vector512 with FMA (AVX-512F).</summary>
    Vector512,
}
