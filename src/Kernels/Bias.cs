namespace GpuVae.Kernels;

/// <summary>Row-broadcast bias addition; its gradient is <see cref="Reductions.SumColumnsReference"/>.</summary>
public static class Bias
{
    /// <summary>y (rows, cols) += bias (1, cols).</summary>
    public static void AddReference(Span<float> y, ReadOnlySpan<float> bias, int rows, int cols)
    {
        for (int row = 0; row < rows; row++)
        {
            for (int col = 0; col < cols; col++)
            {
                y[(row * cols) + col] += bias[col];
            }
        }
    }
}
