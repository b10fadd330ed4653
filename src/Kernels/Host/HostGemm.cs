using System.Numerics.Tensors;

namespace GpuVae.Kernels.Host;

/// <summary>
/// The host backend's GEMM: op(A) and op(B)^T are packed row-major so every output is one
/// contiguous dot product (TensorPrimitives.Dot, SIMD), rows spread over cores.
/// </summary>
public static class HostGemm
{
    public static void Multiply(
        Span<float> c, ReadOnlySpan<float> a, bool transposeA, ReadOnlySpan<float> b, bool transposeB,
        float alpha, float beta, int m, int n, int k)
    {
        // packedA is op(A) (M, K); packedB is op(B)^T (N, K).
        float[] packedA = transposeA ? Transpose(a, k, m) : a[..(m * k)].ToArray();
        float[] packedB = transposeB ? b[..(n * k)].ToArray() : Transpose(b, k, n);
        float[] output = beta == 0 ? new float[m * n] : c[..(m * n)].ToArray();
        Parallel.For(0, m, row =>
        {
            var left = packedA.AsSpan(row * k, k);
            var outputRow = output.AsSpan(row * n, n);
            for (int col = 0; col < n; col++)
            {
                float dot = TensorPrimitives.Dot(left, packedB.AsSpan(col * k, k));
                outputRow[col] = beta == 0 ? alpha * dot : (alpha * dot) + (beta * outputRow[col]);
            }
        });
        output.CopyTo(c);
    }

    /// <summary>Returns the (cols, rows) transpose of x (rows, cols).</summary>
    private static float[] Transpose(ReadOnlySpan<float> x, int rows, int cols)
    {
        var result = new float[rows * cols];
        for (int row = 0; row < rows; row++)
        {
            for (int col = 0; col < cols; col++)
            {
                result[(col * rows) + row] = x[(row * cols) + col];
            }
        }

        return result;
    }
}
