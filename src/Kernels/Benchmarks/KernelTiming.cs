namespace GpuVae.Kernels.Benchmarks;

/// <summary>
/// One timed kernel. Milliseconds is one call synchronized on its own (launch and synchronize
/// included); BackToBackMilliseconds is the time per call when calls are queued back to back,
/// which GFLOP/s (GEMMs) and GB/s (every other operation) are computed from. Variant names the
/// kernel picked from the backend's <see cref="Backend.Choices"/> (a GEMM tiling, a reduction,
/// a SIMD width) when one was picked explicitly, else "default" (what training runs). Name is
/// what bench prints (<see cref="Verification.KernelCase.TimingName"/>); Operation the operation
/// timed, as <see cref="OperationName"/> names it.
/// </summary>
public sealed record KernelTiming(
    string Name, string Operation, string Variant, string Layer, int M, int N, int K, double Milliseconds, double BackToBackMilliseconds, double Gflops, double GigabytesPerSecond);
