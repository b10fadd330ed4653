using GpuVae.Kernels;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels;

/// <summary>
/// A step's values: what the host stages reads back as staged, and kernels see only what was
/// uploaded, which is what lets a graph recorded once replay with each step's values.
/// </summary>
[Collection(nameof(AcceleratorCollection))]
public sealed class StepValuesTests
{
    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void StagedValuesReadBackAsStaged(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        using var values = backend.AllocateStepValues(5);
        ulong[] streams = [.. Enumerable.Range(0, StepValues.StreamSlots).Select(_ => inputs.NextSeed())];
        streams[3] = ulong.MaxValue;
        for (int slot = 0; slot < streams.Length; slot++)
        {
            values.SetStream(slot, streams[slot]);
        }

        var adam = AdamStep.Default(1e-3f, 1000);
        values.SetAdam(adam);
        values.SetRows([4, 0, 7]);

        Assert.Equal(streams, Enumerable.Range(0, StepValues.StreamSlots).Select(values.Stream));
        Assert.Equal((adam.StepSize, adam.SecondMomentCorrection, adam.Beta1, adam.Beta2, adam.Epsilon), values.Adam);
        Assert.Equal([4, 0, 7], values.Rows.ToArray());
        Assert.Throws<ArgumentException>(() => values.SetRows([1, 2, 3, 4, 5, 6]));
        Assert.Throws<ArgumentOutOfRangeException>(() => values.SetStream(StepValues.StreamSlots, 1));
    }

    [Theory]
    [MemberData(nameof(Accelerators.IlgpuKinds), MemberType = typeof(Accelerators))]
    public void KernelsReadTheUploadedStreamNotTheStagedOne(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        ulong seed = inputs.NextSeed();
        using var values = DeviceData.UploadStream(backend, inputs.NextSeed(), out var stream);
        float[] first = Draw(backend, seed, stream);

        values.SetStream(stream.Slot, stream.Value + 1);
        float[] staged = Draw(backend, seed, stream);
        backend.UploadStepValues(values);
        float[] uploaded = Draw(backend, seed, stream);

        Assert.Equal(first, staged);
        Assert.NotEqual(first, uploaded);
    }

    private static float[] Draw(Backend backend, ulong seed, RandomStream stream)
    {
        using var zeros = backend.Allocate(7, 33);
        using var ones = backend.Allocate(7, 33);
        using var z = backend.Allocate(7, 33);
        using var eps = backend.Allocate(7, 33);
        backend.Fill(ones, 1);
        backend.Reparameterize(z, eps, zeros, ones, seed, stream);
        return DeviceData.Download(backend, eps);
    }
}
