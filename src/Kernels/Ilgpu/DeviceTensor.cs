using ILGPU;
using ILGPU.Runtime;

namespace GpuVae.Kernels.Ilgpu;

/// <summary>
/// A tensor in one ILGPU accelerator's memory, for <see cref="IlgpuBackend"/>: its own buffer,
/// or a part of a <see cref="TensorBlock"/>'s buffer, which the block's whole tensor owns.
/// </summary>
internal sealed class DeviceTensor : Tensor
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? ownBuffer;

    /// <summary>A tensor that owns its buffer and frees it when disposed.</summary>
    public DeviceTensor(MemoryBuffer1D<float, Stride1D.Dense> buffer, int rows, int cols)
        : this(buffer.Accelerator, buffer.View, rows, cols)
    {
        ownBuffer = buffer;
    }

    /// <summary>A tensor over a view of a buffer another tensor owns; disposing it frees nothing.</summary>
    public DeviceTensor(Accelerator accelerator, ArrayView1D<float, Stride1D.Dense> view, int rows, int cols)
        : base(rows, cols)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        if (view.Length != (long)rows * cols)
        {
            throw new ArgumentException($"a view of {view.Length} floats cannot hold ({rows}, {cols})", nameof(view));
        }

        Accelerator = accelerator;
        View = view;
    }

    public Accelerator Accelerator { get; }

    public ArrayView1D<float, Stride1D.Dense> View { get; }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ownBuffer?.Dispose();
        }
    }
}
