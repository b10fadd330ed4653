namespace GpuVae.Kernels;

/// <summary>
/// Deterministic column sums: bias gradients (sum over the batch) and batch means of
/// per-image losses. One sequential sum per column, so the result never depends on the
/// launch shape or on the order atomics land in.
/// </summary>
public static class Reductions
{
    /// <summary>sums (1, cols) = alpha * sum over rows of x (rows, cols), accumulated in double.</summary>
    public static void SumColumnsReference(Span<float> sums, ReadOnlySpan<float> x, float alpha, int rows, int cols)
    {
        for (int col = 0; col < cols; col++)
        {
            double sum = 0;
            for (int row = 0; row < rows; row++)
            {
                sum += x[(row * cols) + col];
            }

            sums[col] = (float)(alpha * sum);
        }
    }
}
