namespace GpuVae.Kernels.Benchmarks;

/// <summary>
/// One timed kernel: GEMMs report GFLOP/s, elementwise kernels GB/s. Variant names the ILGPU
/// GEMM kernel when one was chosen explicitly, else "default" (what training runs).
/// </summary>
public sealed record KernelTiming(string Name, string Variant, string Layer, int M, int N, int K, double Milliseconds, double Gflops, double GigabytesPerSecond);
