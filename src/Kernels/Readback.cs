namespace GpuVae.Kernels;

/// <summary>
/// Host memory a tensor is copied into in order with the queued work
/// (<see cref="Backend.CopyToReadback"/>), readable once the backend has synchronized: how a
/// step's losses come back, also from a captured, replayed step. Page-locked on a GPU.
/// </summary>
public abstract class Readback : IDisposable
{
    protected Readback(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        Length = length;
    }

    public int Length { get; }

    /// <summary>The values of the last copy; valid after <see cref="Backend.Synchronize"/>.</summary>
    public abstract ReadOnlySpan<float> Values { get; }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);
}
