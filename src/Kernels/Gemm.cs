namespace GpuVae.Kernels;

/// <summary>
/// C = alpha * op(A) * op(B) + beta * C on row-major matrices. op(A) is (M, K), op(B) is
/// (K, N), C is (M, N). A is stored (M, K), or (K, M) when transposed; B is stored (K, N),
/// or (N, K) when transposed. Forward passes use NN; backward passes use NT (dx = dy W^T)
/// and TN (dW = x^T dy).
/// </summary>
public static class Gemm
{
    /// <summary>The triple loop, accumulated in double: the oracle every GEMM is tested against.</summary>
    public static void Reference(
        Span<float> c, ReadOnlySpan<float> a, bool transposeA, ReadOnlySpan<float> b, bool transposeB,
        float alpha, float beta, int m, int n, int k)
    {
        for (int row = 0; row < m; row++)
        {
            for (int col = 0; col < n; col++)
            {
                double sum = 0;
                for (int i = 0; i < k; i++)
                {
                    float left = transposeA ? a[(i * m) + row] : a[(row * k) + i];
                    float right = transposeB ? b[(col * k) + i] : b[(i * n) + col];
                    sum += (double)left * right;
                }

                // beta == 0 must ignore C entirely, as BLAS does, so uninitialized (NaN) outputs are fine.
                double previous = beta == 0 ? 0 : (double)beta * c[(row * n) + col];
                c[(row * n) + col] = (float)((alpha * sum) + previous);
            }
        }
    }
}
