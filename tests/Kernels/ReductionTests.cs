using GpuVae.Kernels;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels;

[Collection(nameof(AcceleratorCollection))]
public sealed class ReductionTests
{
    // A float32 running sum of R values in [-1, 1] drifts by about sqrt(R) * R * 2^-24 at worst
    // on random signs; 1e-6 * R absolute is above that for every R here (5e-4 at R = 500).
    private const double AbsolutePerRow = 1e-6;

    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void SumColumnsMatchesReferenceForAnyRowCount(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        foreach (var (rows, cols) in new[] { (1, 1), (7, 33), (33, 7), (128, 500), (500, 1), (3, 784) })
        {
            float[] x = inputs.Uniform(rows * cols);
            float alpha = inputs.Scalar();
            using var input = DeviceData.Upload(backend, x, rows, cols);
            using var sums = DeviceData.Poisoned(backend, 1, cols);
            backend.SumColumns(sums, input, alpha);
            float[] expected = new float[cols];
            Reductions.SumColumnsReference(expected, x, alpha, rows, cols);
            float[] first = DeviceData.Download(backend, sums);
            Compare.AllClose(expected, first, new Tolerance(AbsolutePerRow * rows, 1e-6), $"{kind} SumColumns ({rows}, {cols})");

            // Deterministic: the same inputs give the same bits on a second run.
            backend.SumColumns(sums, input, alpha);
            Compare.Identical(first, DeviceData.Download(backend, sums), $"{kind} SumColumns rerun ({rows}, {cols})");
        }
    }
}
