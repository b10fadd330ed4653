using ILGPU;
using ILGPU.Runtime;

namespace GpuVae.Kernels.Ilgpu;

/// <summary>Host memory a device tensor is copied into, through <see cref="HostStaging{T}"/>, so a CUDA graph can record the copy.</summary>
internal sealed class DeviceReadback : Readback
{
    private readonly HostStaging<float> values;

    public DeviceReadback(Accelerator accelerator, int length, bool pageLock)
        : base(length)
    {
        values = new HostStaging<float>(accelerator, length, pageLock);
    }

    public override ReadOnlySpan<float> Values => values.Span;

    public void CopyFrom(AcceleratorStream stream, ArrayView1D<float, Stride1D.Dense> source) => values.CopyFrom(stream, source);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            values.Dispose();
        }
    }
}
