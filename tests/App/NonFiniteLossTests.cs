using GpuVae.App.Runs;
using GpuVae.Kernels.Host;
using GpuVae.Kernels.Operations;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Model.Training;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App;

/// <summary>A loss that becomes NaN or infinite stops the run at once and leaves the last good checkpoint as it was.</summary>
public sealed class NonFiniteLossTests
{
    [Fact]
    public void ADivergingRunStopsNamingEpochAndStepAndKeepsTheLastCheckpoint()
    {
        var data = RealMnist.Load();
        using var folder = new TempFolder();
        using var backend = new HostBackend();
        var good = new RunSettings(
            new VaeConfig(2, Hidden: 16), new TrainingOptions { Epochs = 1, BatchSize = 64, LearningRates = LearningRateSchedule.Parse("1:0.001,1:1e30") }, RepositoryPaths.MnistCache, folder.Path, "host", 0, Resume: false, TrainLimit: 640);
        DimensionRun.Train(good, backend, data, TextWriter.Null, interactive: false, CancellationToken.None);
        string model = Path.Combine(good.RunDirectory, Checkpoint.ModelFileName);
        string metrics = Path.Combine(good.RunDirectory, Checkpoint.MetricsFileName);
        byte[] savedModel = File.ReadAllBytes(model);
        byte[] savedMetrics = File.ReadAllBytes(metrics);

        // The schedule's second epoch runs at 1e30. Adam's steps are about lr in size: the
        // first step sends the weights to ~1e30, and the next forward pass overflows to infinity or NaN.
        var diverging = good with { Training = good.Training with { Epochs = 2 }, Resume = true };
        var error = Assert.Throws<NonFiniteLossException>(
            () => DimensionRun.Train(diverging, backend, data, TextWriter.Null, interactive: false, CancellationToken.None));

        Assert.Equal(2, error.Epoch);
        Assert.InRange(error.Step, 1, 10);
        Assert.Contains("epoch 2, step", error.Message, StringComparison.Ordinal);
        Assert.Equal(savedModel, File.ReadAllBytes(model));
        Assert.Equal(savedMetrics, File.ReadAllBytes(metrics));
    }
}
