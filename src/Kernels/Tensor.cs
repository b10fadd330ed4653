namespace GpuVae.Kernels;

/// <summary>
/// A dense, row-major float32 matrix owned by one backend. Vectors are (1, N) or (N, 1).
/// </summary>
public abstract class Tensor : IDisposable
{
    protected Tensor(int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        Rows = rows;
        Cols = cols;
    }

    public int Rows { get; }

    public int Cols { get; }

    public int Length => Rows * Cols;

    public override string ToString() => $"({Rows}, {Cols})";

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);
}
