using GpuVae.Kernels.Operations;

namespace GpuVae.Kernels;

/// <summary>One GEMM a model runs: C (M, N) = op(A) op(B) with K the inner size, and the layer it serves.</summary>
public sealed record GemmCall(string Layer, int M, int N, int K, bool TransposeA, bool TransposeB)
{
    public string Name => GemmShape.Name(M, N, K, TransposeA, TransposeB);
}
