using GpuVae.Kernels;
using GpuVae.Kernels.Operations;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels.Operations;

/// <summary>
/// The dropout masks, on every accelerator. Masks are applied only inside the fused epilogues
/// (<see cref="Epilogues"/>); with a zero bias and inputs above 0, ELU and its derivative
/// (1) are exact, so what those return is the mask alone, to the bit.
/// </summary>
[Collection(nameof(AcceleratorCollection))]
public sealed class DropoutTests
{
    private const float Keep = 0.8f;
    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void MaskIsDeterministicPerSeedAndDiffersAcrossSeeds(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        ulong seed = inputs.NextSeed();
        float[] first = Mask(backend, seed, 0);
        Compare.Identical(first, Mask(backend, seed, 0), $"{kind} dropout rerun");
        Assert.NotEqual(first, Mask(backend, seed + 1, 0));
        Assert.NotEqual(first, Mask(backend, seed, 1));
    }

    /// <summary>
    /// The kept fraction of n = 64000 Bernoulli(0.8) draws has standard deviation
    /// sqrt(0.8 * 0.2 / n) = 0.0016; five of them bound it (a false failure once in 3.5 million).
    /// </summary>
    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void KeptFractionMatchesKeepProbability(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        float[] mask = Mask(backend, inputs.NextSeed(), 3);
        double kept = mask.Count(value => value != 0) / (double)mask.Length;
        double bound = 5 * Math.Sqrt(Keep * (1 - Keep) / mask.Length);
        Assert.True(Math.Abs(kept - Keep) <= bound, $"kept fraction {kept} vs {Keep} +- {bound}");
        Assert.All(mask, value => Assert.True(value == 0 || value == 1 / Keep));
    }

    /// <summary>ELU(1 + 0) = 1, so the dropped output is the mask: 0 or 1 / keep.</summary>
    private static float[] Mask(Backend backend, ulong seed, ulong stream)
    {
        using var ones = backend.Allocate(128, 500);
        using var zeroBias = backend.Allocate(1, 500);
        using var post = backend.Allocate(128, 500);
        using var dropped = backend.Allocate(128, 500);
        backend.Fill(ones, 1);
        using var values = DeviceData.UploadStream(backend, stream, out var random);
        backend.BiasActivationDropoutForward(Activation.Elu, dropped, post, ones, zeroBias, Keep, seed, random);
        return DeviceData.Download(backend, dropped);
    }
}
