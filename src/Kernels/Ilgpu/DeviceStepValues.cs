using ILGPU;
using ILGPU.Runtime;

namespace GpuVae.Kernels.Ilgpu;

/// <summary>
/// A step's values on an ILGPU accelerator: the words on the device, and their staging copy on
/// the host. Where the accelerator can page-lock (CUDA, the CPU accelerator), the staging copy is
/// page-locked and the upload is an asynchronous copy in the stream, which a CUDA graph records
/// as a copy from that memory: each replay reads what the host staged last.
/// </summary>
public sealed class DeviceStepValues : StepValues
{
    private readonly MemoryBuffer1D<int, Stride1D.Dense> device;
    private readonly PageLockedArray1D<int>? pageLocked;
    private readonly int[]? managed;

    public DeviceStepValues(Accelerator accelerator, int rowCapacity, bool pageLock)
        : base(rowCapacity)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        device = accelerator.Allocate1D<int>(Words(rowCapacity));
        device.MemSetToZero();
        if (pageLock)
        {
            pageLocked = accelerator.AllocatePageLocked1D<int>(Words(rowCapacity));
            pageLocked.Span.Clear();
        }
        else
        {
            managed = new int[Words(rowCapacity)];
        }
    }

    /// <summary>The words on the device, as the kernels take them.</summary>
    public ArrayView1D<int, Stride1D.Dense> View => device.View;

    protected override Span<int> Staged => pageLocked is null ? managed : pageLocked.Span;

    public void Upload(AcceleratorStream stream)
    {
        if (pageLocked is null)
        {
            device.View.CopyFromCPU(stream, managed!);
        }
        else
        {
            device.View.CopyFromPageLockedAsync(stream, pageLocked);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            device.Dispose();
            pageLocked?.Dispose();
        }
    }
}
