using GpuVae.Kernels.Operations;

namespace GpuVae.Kernels.Host;

/// <summary>
/// The vector width of HostPhilox's generator, chosen at run time (HostPhilox.BestIsa) like
/// HostGemmIsa: our training machines are AVX2-only (Zen 3), some hosts have AVX-512, and
/// the narrower paths stay selectable so tests and benchmarks cover each one on any machine.
/// </summary>
public enum HostPhiloxIsa
{
    /// <summary>One counter at a time with <see cref="Philox.Generate"/>: runs anywhere.</summary>
    Scalar,

    /// <summary>8 counters per Vector256 (AVX2).</summary>
    Vector256,

    /// <summary>16 counters per Vector512 (AVX-512F).</summary>
    Vector512,
}
