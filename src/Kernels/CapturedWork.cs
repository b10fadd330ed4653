namespace GpuVae.Kernels;

/// <summary>
/// Queued work recorded once (a CUDA graph) and replayed as one launch: its kernels keep the
/// arguments they were recorded with, and read what changes from <see cref="StepValues"/>.
/// </summary>
public abstract class CapturedWork : IDisposable
{
    /// <summary>The operations recorded (graph nodes: kernels and copies).</summary>
    public abstract int Operations { get; }

    /// <summary>Queues the recorded work again; like any queued work, done after <see cref="Backend.Synchronize"/>.</summary>
    public abstract void Replay();

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);
}
