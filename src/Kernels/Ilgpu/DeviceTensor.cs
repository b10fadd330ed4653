using ILGPU;
using ILGPU.Runtime;

namespace GpuVae.Kernels.Ilgpu;

/// <summary>A tensor in one ILGPU accelerator's memory, for <see cref="IlgpuBackend"/>.</summary>
public sealed class DeviceTensor : Tensor
{
    public DeviceTensor(MemoryBuffer1D<float, Stride1D.Dense> buffer, int rows, int cols)
        : base(rows, cols)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (buffer.Length != (long)rows * cols)
        {
            throw new ArgumentException($"a buffer of {buffer.Length} floats cannot hold ({rows}, {cols})", nameof(buffer));
        }

        Buffer = buffer;
    }

    public MemoryBuffer1D<float, Stride1D.Dense> Buffer { get; }

    public ArrayView1D<float, Stride1D.Dense> View => Buffer.View;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Buffer.Dispose();
        }
    }
}
