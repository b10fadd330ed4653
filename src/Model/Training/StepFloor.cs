namespace GpuVae.Model.Training;

/// <summary>
/// The fastest a training step could run with today's kernels: each of its GEMMs at the speed it
/// reaches timed alone at the same shape, plus every other operation's least traffic (each tensor
/// it reads or writes, once: <see cref="StepBenchmark.ProfileRow.BytesPerStep"/>) at the
/// backend's measured memory bandwidth. A step far above it loses time between the operations
/// (cold caches, idle cores), not inside them.
/// </summary>
/// <param name="GemmMilliseconds">The step's GEMMs, each timed alone, summed.</param>
/// <param name="OtherBytes">The bytes per step the other operations must move at the least.</param>
/// <param name="GigabytesPerSecond">The memory bandwidth they are held to (<see cref="Kernels.Benchmarks.MemoryBandwidth"/>).</param>
public sealed record StepFloor(double GemmMilliseconds, long OtherBytes, double GigabytesPerSecond)
{
    public double OtherMilliseconds => OtherBytes / (GigabytesPerSecond * 1e6);

    public double Milliseconds => GemmMilliseconds + OtherMilliseconds;

    /// <param name="isolatedGemmMilliseconds">One time per GEMM call of the step (<see cref="TrainingStep.Gemms"/>), each timed alone.</param>
    /// <param name="profile">The step's profile, for the other operations' traffic.</param>
    public static StepFloor Of(IEnumerable<double> isolatedGemmMilliseconds, IEnumerable<StepBenchmark.ProfileRow> profile, double gigabytesPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gigabytesPerSecond);
        return new StepFloor(isolatedGemmMilliseconds.Sum(), profile.Where(row => !row.IsGemm).Sum(row => row.BytesPerStep), gigabytesPerSecond);
    }
}
