using GpuVae.App.Experiment;
using GpuVae.App.Runs;
using GpuVae.Kernels.Host;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Model.Training;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App;

/// <summary>nll.csv belongs to the weights it was computed from: a model retrained into the folder never shows the old model's NLL.</summary>
public sealed class StaleNllTests
{
    [Fact]
    public void RetrainingWithAnotherSeedHidesTheOldNllUntilItIsRecomputed()
    {
        var data = RealMnist.Load();
        using var folder = new TempFolder();
        using var backend = new HostBackend();
        var figures = new FigureOptions();
        var nll = new NllOptions(Samples: 2, Images: 20);
        var first = new RunSettings(
            new VaeConfig(3, Hidden: 16), new TrainingOptions { Epochs = 1, BatchSize = 32, Seed = 0 }, RepositoryPaths.MnistCache, folder.Path, "host", 0, Resume: false, TrainLimit: 256);
        DimensionRun.Train(first, backend, data, TextWriter.Null, interactive: false, CancellationToken.None);
        double old = ExperimentOutputs.Draw(folder.Path, backend, data, 0, figures, nll, TextWriter.Null).Single().TestNll!.Value;

        // Same epochs, another seed: before nll.csv was keyed on the weights, plot showed `old`.
        var second = first with { Training = first.Training with { Seed = 1 }, Overwrite = true };
        DimensionRun.Train(second, backend, data, TextWriter.Null, interactive: false, CancellationToken.None);
        using var plotLog = new StringWriter();
        var plotted = ExperimentOutputs.Draw(folder.Path, backend, data, 0, figures, nll: null, plotLog).Single();
        Assert.Null(plotted.TestNll);
        Assert.Contains("was not computed from these weights", plotLog.ToString(), StringComparison.Ordinal);

        var swept = ExperimentOutputs.Draw(folder.Path, backend, data, 0, figures, nll, TextWriter.Null).Single();
        Assert.NotEqual(old, swept.TestNll);
        Assert.Equal(Checkpoint.WeightsSha256(second.RunDirectory), NllEstimate.Read(second.RunDirectory)!.ModelSha256);
    }
}
