using ILGPU;
using ILGPU.Runtime;

namespace GpuVae.Kernels.Ilgpu;

/// <summary>
/// Host memory a device tensor is copied into: page-locked, with an asynchronous copy in the
/// stream that a CUDA graph can record, where the accelerator can page-lock; else managed,
/// with a synchronous copy.
/// </summary>
public sealed class DeviceReadback : Readback
{
    private readonly PageLockedArray1D<float>? pageLocked;
    private readonly float[]? managed;

    public DeviceReadback(Accelerator accelerator, int length, bool pageLock)
        : base(length)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        if (pageLock)
        {
            pageLocked = accelerator.AllocatePageLocked1D<float>(length);
        }
        else
        {
            managed = new float[length];
        }
    }

    public override ReadOnlySpan<float> Values => pageLocked is null ? managed : pageLocked.Span;

    public void CopyFrom(AcceleratorStream stream, ArrayView1D<float, Stride1D.Dense> source)
    {
        if (pageLocked is null)
        {
            source.CopyToCPU(stream, managed!);
        }
        else
        {
            source.CopyToPageLockedAsync(stream, pageLocked);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            pageLocked?.Dispose();
        }
    }
}
