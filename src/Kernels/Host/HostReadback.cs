namespace GpuVae.Kernels.Host;

/// <summary>A read-back buffer in managed memory: the host backend copies into it at once.</summary>
internal sealed class HostReadback(int length) : Readback(length)
{
    public float[] Data { get; } = new float[length];

    public override ReadOnlySpan<float> Values => Data;

    protected override void Dispose(bool disposing)
    {
    }
}
