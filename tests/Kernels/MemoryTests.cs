using GpuVae.Kernels;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels;

[Collection(nameof(AcceleratorCollection))]
public sealed class MemoryTests
{
    private static readonly (int Rows, int Cols)[] Shapes = [(1, 1), (7, 33), (33, 7), (128, 784)];

    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void AllocateIsZeroAndUploadDownloadRoundTrips(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        foreach (var (rows, cols) in Shapes)
        {
            using var tensor = backend.Allocate(rows, cols);
            Compare.Identical(new float[rows * cols], DeviceData.Download(backend, tensor), $"{kind} Allocate ({rows}, {cols})");
            float[] x = inputs.Uniform(rows * cols);
            backend.Upload(tensor, x);
            Compare.Identical(x, DeviceData.Download(backend, tensor), $"{kind} round trip ({rows}, {cols})");
        }
    }

    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void FillAndCopyMatchReference(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        foreach (var (rows, cols) in Shapes)
        {
            float value = inputs.Scalar();
            float[] filled = new float[rows * cols];
            Memory.FillReference(filled, value, filled.Length);
            using var y = DeviceData.Poisoned(backend, rows, cols);
            backend.Fill(y, value);
            Compare.Identical(filled, DeviceData.Download(backend, y), $"{kind} Fill ({rows}, {cols})");

            float[] x = inputs.Uniform(rows * cols);
            float[] copied = new float[x.Length];
            Memory.CopyReference(copied, x, x.Length);
            using var source = DeviceData.Upload(backend, x, rows, cols);
            using var target = DeviceData.Poisoned(backend, rows, cols);
            backend.Copy(target, source);
            Compare.Identical(copied, DeviceData.Download(backend, target), $"{kind} Copy ({rows}, {cols})");
        }
    }

    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void GatherRowsMatchesReference(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        const int datasetRows = 500, cols = 784;
        float[] x = inputs.Uniform(datasetRows * cols);
        using var dataset = DeviceData.Upload(backend, x, datasetRows, cols);
        // Batches of different sizes reuse and then grow the backend's index buffer; rows repeat.
        foreach (int batch in new[] { 7, 1, 128, 33 })
        {
            int[] rows = Enumerable.Range(0, batch).Select(_ => inputs.Next(datasetRows)).ToArray();
            rows[^1] = rows[0];
            float[] expected = new float[batch * cols];
            Memory.GatherRowsReference(expected, x, rows, cols);
            using var y = DeviceData.Poisoned(backend, batch, cols);
            backend.GatherRows(y, dataset, rows);
            Compare.Identical(expected, DeviceData.Download(backend, y), $"{kind} GatherRows batch {batch}");
        }

        using var output = backend.Allocate(1, cols);
        Assert.Throws<ArgumentOutOfRangeException>(() => backend.GatherRows(output, dataset, [datasetRows]));
    }

    /// <summary>40 GB on a machine with less: a clear message with the size, not a crash.</summary>
    [Fact]
    public void AnAllocationBeyondTheDeviceSaysHowMuchWasAskedFor()
    {
        var backend = Accelerators.Get("cpu");
        var error = Assert.Throws<GpuVae.Kernels.Ilgpu.DeviceMemoryException>(() => backend.Allocate(200_000, 50_000));
        Assert.Contains("(200000, 50000)", error.Message, StringComparison.Ordinal);
        Assert.Contains("40,000,000,000 bytes", error.Message, StringComparison.Ordinal);
    }
}
