namespace GpuVae.Kernels;

/// <summary>Small data-movement helpers the model needs: fill, copy and row gather.</summary>
public static class Memory
{
    public static void FillReference(Span<float> y, float value, int length) => y[..length].Fill(value);

    public static void CopyReference(Span<float> y, ReadOnlySpan<float> x, int length) => x[..length].CopyTo(y);

    /// <summary>y (len(rows), cols) = x[rows, :].</summary>
    public static void GatherRowsReference(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<int> rows, int cols)
    {
        for (int r = 0; r < rows.Length; r++)
        {
            x.Slice(rows[r] * cols, cols).CopyTo(y.Slice(r * cols, cols));
        }
    }
}
