using ILGPU;
using ILGPU.Runtime;

namespace GpuVae.Kernels.Ilgpu;

/// <summary>
/// A step's values on an ILGPU accelerator: the words on the device, and their staging copy on
/// the host (<see cref="HostStaging{T}"/>), whose upload a CUDA graph records as a copy from
/// that memory: each replay reads what the host staged last.
/// </summary>
internal sealed class DeviceStepValues : StepValues
{
    private readonly MemoryBuffer1D<int, Stride1D.Dense> device;
    private readonly HostStaging<int> staged;

    public DeviceStepValues(Accelerator accelerator, int rowCapacity, bool pageLock)
        : base(rowCapacity)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        device = accelerator.Allocate1D<int>(Words(rowCapacity));
        device.MemSetToZero();
        staged = new HostStaging<int>(accelerator, Words(rowCapacity), pageLock);
    }

    /// <summary>The words on the device, as the kernels take them.</summary>
    public ArrayView1D<int, Stride1D.Dense> View => device.View;

    protected override Span<int> Staged => staged.Span;

    public void Upload(AcceleratorStream stream) => staged.CopyTo(stream, device.View);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            device.Dispose();
            staged.Dispose();
        }
    }
}
