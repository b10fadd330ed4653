namespace GpuVae.Kernels.Operations;

/// <summary>Reads (M, N, K) off the operands of a GEMM and checks that they agree.</summary>
internal static class GemmShape
{
    public static (int M, int N, int K) Of(Tensor c, Tensor a, bool transposeA, Tensor b, bool transposeB)
    {
        int m = transposeA ? a.Cols : a.Rows;
        int k = transposeA ? a.Rows : a.Cols;
        int kOfB = transposeB ? b.Cols : b.Rows;
        int n = transposeB ? b.Rows : b.Cols;
        if (k != kOfB || c.Rows != m || c.Cols != n)
        {
            throw new ArgumentException(
                $"GEMM shapes disagree: op(a) of {a} is ({m}, {k}), op(b) of {b} is ({kOfB}, {n}), c is {c}");
        }

        return (m, n, k);
    }

    /// <summary>How profiles and benchmarks name a GEMM: "gemm nt 128x500x784" is M x N x K with B transposed.</summary>
    public static string Name(int m, int n, int k, bool transposeA, bool transposeB) =>
        $"{OperationName.Gemm} {(transposeA ? 't' : 'n')}{(transposeB ? 't' : 'n')} {m}x{n}x{k}";
}
