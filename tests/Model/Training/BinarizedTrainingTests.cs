using GpuVae.Kernels;
using GpuVae.Kernels.Operations;
using GpuVae.Model.Evaluation;
using GpuVae.Model.Network;
using GpuVae.Model.Training;
using GpuVae.Tests.App.Figures;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Model.Training;

/// <summary>
/// Dynamically binarized training (--binarize dynamic): the batch a step trains on is a fresh
/// Bernoulli draw of its grey images, bit for bit the host reference's on every backend, and
/// the test set is drawn once from its fixed seed.
/// </summary>
[Collection(nameof(AcceleratorCollection))]
public sealed class BinarizedTrainingTests
{
    // The binarized mean of n pixels with grey levels p has standard deviation
    // sqrt(sum p (1 - p)) / n about the grey mean; 5 of them fail a fair draw about once in
    // 1.7 million runs, and a draw biased by 1% of the grey mean (~0.5 sd at n = 100,352) is
    // caught over the 20 batches below (~2.2 sd each, summed to ~10).
    private const double StandardDeviations = 5;

    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void EveryStepTrainsOnTheHostsBernoulliDrawOfItsBatch(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        var config = new VaeConfig(Latent: 2, Hidden: 7, Pixels: 97) { Binarization = Binarization.Dynamic };
        const int Batch = 31, Count = 40;
        float[] images = inputs.Uniform(Count * config.Pixels, 0, 1);
        int seed = inputs.Next(1 << 20);
        using var model = new Vae(backend, config);
        model.Initialize(seed);
        using var step = new TrainingStep(model, new TrainingOptions { BatchSize = Batch, Seed = seed });
        using var stored = backend.Allocate(Count, config.Pixels);
        backend.Upload(stored, images);
        int[] rows = [.. Enumerable.Range(0, Batch).Select(_ => inputs.Next(Count))];

        float[]? previous = null;
        for (ulong s = 0; s < 2; s++)
        {
            step.Run(stored, rows);
            var actual = new float[Batch * config.Pixels];
            backend.Download(step.Target, actual);
            float[] grey = [.. rows.SelectMany(r => images.AsSpan(r * config.Pixels, config.Pixels).ToArray())];
            var expected = new float[grey.Length];
            Sampling.BinarizeReference(expected, grey, (ulong)seed, RandomStreams.Of(s, RandomStreams.BinarizeSlot), grey.Length);
            Assert.All(actual, v => Assert.True(v is 0 or 1, $"{kind}: a binarized pixel is {v} (seed {inputs.Seed})"));
            Compare.Identical(expected, actual, $"{kind}: binarized batch of step {s} (seed {inputs.Seed})");
            if (previous is not null)
            {
                Assert.False(previous.AsSpan().SequenceEqual(actual), $"{kind}: step {s} drew the same bits as the step before for the same images");
            }

            previous = actual;
        }
    }

    [Fact]
    public void TheBinarizedBatchMeanMatchesTheGreyMean()
    {
        var backend = Accelerators.Get("host");
        var data = RealMnist.Load();
        var inputs = new RandomInputs();
        var config = new VaeConfig(Latent: 2, Hidden: 7) { Binarization = Binarization.Dynamic };
        const int Batch = 128, Steps = 20;
        int count = data.Train.Count;
        using var model = new Vae(backend, config);
        model.Initialize(inputs.Seed);
        using var step = new TrainingStep(model, new TrainingOptions { BatchSize = Batch, Seed = inputs.Seed });
        using var stored = backend.Allocate(2000, config.Pixels);
        backend.Upload(stored, data.Train.Images.AsSpan(0, 2000 * config.Pixels));
        double binarySum = 0, greySum = 0, variance = 0;
        var batch = new float[Batch * config.Pixels];
        for (int s = 0; s < Steps; s++)
        {
            int[] rows = [.. Enumerable.Range(0, Batch).Select(_ => inputs.Next(Math.Min(count, 2000)))];
            step.Run(stored, rows);
            backend.Download(step.Target, batch);
            Assert.All(batch, v => Assert.True(v is 0 or 1, $"a binarized pixel is {v}"));
            binarySum += batch.Sum(v => (double)v);
            foreach (int r in rows)
            {
                foreach (float p in data.Train.Images.AsSpan(r * config.Pixels, config.Pixels))
                {
                    greySum += p;
                    variance += p * (1.0 - p);
                }
            }
        }

        double n = (double)Steps * batch.Length;
        double difference = (binarySum - greySum) / n, sd = Math.Sqrt(variance) / n;
        TestContext.Current.TestOutputHelper?.WriteLine($"grey mean {greySum / n:F5}, binarized {binarySum / n:F5}, {difference / sd:F2} sd apart");
        Assert.True(Math.Abs(difference) < StandardDeviations * sd,
            $"binarized mean {binarySum / n:F5} vs grey mean {greySum / n:F5}: {difference / sd:F2} sd (seed {inputs.Seed})");
    }

    [Fact]
    public void TheTestSetIsBinarizedOnceFromItsFixedSeed()
    {
        var data = RealMnist.Load();
        var grey = data.Test.Images.AsSpan(0, 50 * MnistShape.Pixels);
        float[] first = BinarizedTestSet.Of(grey, MnistShape.Pixels);
        Assert.Equal(first, BinarizedTestSet.Of(grey, MnistShape.Pixels));
        // The first images are the same whatever number of images is binarized.
        Assert.Equal(first[..(10 * MnistShape.Pixels)], BinarizedTestSet.Of(grey[..(10 * MnistShape.Pixels)], MnistShape.Pixels));
        Assert.All(first, v => Assert.True(v is 0 or 1));
        var expected = new float[MnistShape.Pixels];
        Sampling.BinarizeReference(expected, grey.Slice(3 * MnistShape.Pixels, MnistShape.Pixels), 0x5EED_B1A5, 3, MnistShape.Pixels);
        Assert.Equal(expected, first.AsSpan(3 * MnistShape.Pixels, MnistShape.Pixels).ToArray());
        Assert.Same(data.Test.Images, BinarizedTestSet.For(new VaeConfig(2), data.Test.Images));
    }
}
