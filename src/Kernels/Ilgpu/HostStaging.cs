using ILGPU;
using ILGPU.Runtime;

namespace GpuVae.Kernels.Ilgpu;

/// <summary>
/// Host memory that is copied to or from device memory in order with the queued work. Where
/// the accelerator can page-lock (CUDA, the CPU accelerator) it is page-locked and its copies
/// are asynchronous copies in the stream, which a CUDA graph records as copies from or to this
/// memory; elsewhere it is managed memory with synchronous copies.
/// </summary>
internal sealed class HostStaging<T> : IDisposable
    where T : unmanaged
{
    private readonly PageLockedArray1D<T>? pageLocked;
    private readonly T[]? managed;

    public HostStaging(Accelerator accelerator, int length, bool pageLock)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        if (pageLock)
        {
            pageLocked = accelerator.AllocatePageLocked1D<T>(length);
            pageLocked.Span.Clear();
        }
        else
        {
            managed = new T[length];
        }
    }

    public Span<T> Span => pageLocked is null ? managed : pageLocked.Span;

    public void CopyTo(AcceleratorStream stream, ArrayView1D<T, Stride1D.Dense> device)
    {
        if (pageLocked is null)
        {
            device.CopyFromCPU(stream, managed!);
        }
        else
        {
            device.CopyFromPageLockedAsync(stream, pageLocked);
        }
    }

    public void CopyFrom(AcceleratorStream stream, ArrayView1D<T, Stride1D.Dense> device)
    {
        if (pageLocked is null)
        {
            device.CopyToCPU(stream, managed!);
        }
        else
        {
            device.CopyToPageLockedAsync(stream, pageLocked);
        }
    }

    public void Dispose() => pageLocked?.Dispose();
}
