namespace GpuVae.Kernels.Benchmarks;

/// <summary>One timed kernel: GEMMs report GFLOP/s, elementwise kernels GB/s.</summary>
public sealed record KernelTiming(string Name, string Layer, int M, int N, int K, double Milliseconds, double Gflops, double GigabytesPerSecond);
