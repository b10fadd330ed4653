namespace GpuVae.Kernels.Host;

/// <summary>A tensor in managed memory, for <see cref="HostBackend"/>.</summary>
internal sealed class HostTensor : Tensor
{
    public HostTensor(int rows, int cols)
        : base(rows, cols)
    {
        Data = new float[rows * cols];
    }

    /// <summary>A tensor over the caller's array, not a copy of it (<see cref="Backend.UploadShared"/>).</summary>
    public HostTensor(float[] data, int rows, int cols)
        : base(rows, cols)
    {
        Data = data;
    }

    public float[] Data { get; }

    protected override void Dispose(bool disposing)
    {
    }
}
