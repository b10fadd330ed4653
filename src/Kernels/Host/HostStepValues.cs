namespace GpuVae.Kernels.Host;

/// <summary>A step's values in managed memory, where the host backend's kernels read them as staged.</summary>
internal sealed class HostStepValues(int rowCapacity) : StepValues(rowCapacity)
{
    private readonly int[] words = new int[Words(rowCapacity)];

    protected override Span<int> Staged => words;

    protected override void Dispose(bool disposing)
    {
    }
}
