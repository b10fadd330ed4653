using GpuVae.App.Data;
using GpuVae.App.Experiment;
using GpuVae.App.Runs;
using GpuVae.Kernels;
using GpuVae.Kernels.Host;
using GpuVae.Model.Evaluation;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Model.Training;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App;

/// <summary>
/// Dims trained in lockstep, a step of each at a time (a sweep's on CUDA), train exactly the bits
/// each trains alone: the same weights, moments and losses. On the host and ILGPU's CPU
/// accelerator the sweep trains them one after another, and its files are each dim's alone too.
/// Ctrl-C saves every dim in lockstep where it stands, and resumed, with the dims at different
/// places, they finish each exactly as uninterrupted.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public sealed class LockstepSweepTests
{
    private const int Epochs = 2;
    private const int TrainLimit = 256;
    private const int BatchSize = 32;
    private const int StepsPerEpoch = TrainLimit / BatchSize;
    private static readonly int[] Dims = [2, 3];
    // A full chunk of the bound's 500 images and part of another.
    private const int NllImages = 600;
    private const int NllSamples = 10;

    [Theory]
    [InlineData("host")]
    [InlineData("cpu")]
    public void TheSweepTrainsEveryDimAsItTrainsAlone(string accelerator)
    {
        RealMnist.Load();
        using var alone = new TempFolder();
        foreach (int dim in Dims)
        {
            var (trained, _, trainError) = InProcessCli.RunCapturing(["train", "--dim", $"{dim}", .. Options(alone.Path, accelerator)]);
            Assert.True(trained == 0, trainError);
        }

        using var swept = new TempFolder();
        var (code, output, error) = InProcessCli.RunCapturing(
            ["sweep", "--dims", string.Join(",", Dims), "--nll-samples", $"{NllSamples}", "--nll-images", $"{NllImages}", .. Options(swept.Path, accelerator)]);

        Assert.True(code == 0, error);
        Assert.Contains("one after another", output, StringComparison.Ordinal);
        foreach (int dim in Dims)
        {
            AssertSameRun(Path.Combine(alone.Path, $"dim{dim}"), Path.Combine(swept.Path, $"dim{dim}"), $"dim {dim}");
            // The sweep's NLLs, estimated in lockstep too, are each dim's bound computed alone.
            Assert.Equal(NllAlone(Path.Combine(alone.Path, $"dim{dim}"), accelerator), NllEstimate.Read(Path.Combine(swept.Path, $"dim{dim}"))!.Nll);
        }
    }

    [Fact]
    public void DimsInLockstepTrainAsEachAloneAndCarryTheirDimOnEveryEpochLine()
    {
        var data = RealMnist.Load();
        using var backend = new HostBackend();
        using var alone = new TempFolder();
        foreach (int dim in Dims)
        {
            Sweep(alone.Path, backend, data, CancellationToken.None, TextWriter.Null, [dim]);
        }

        using var together = new TempFolder();
        using var log = new StringWriter();
        Sweep(together.Path, backend, data, CancellationToken.None, log);
        foreach (int dim in Dims)
        {
            Assert.Equal(Epochs, log.ToString().Split('\n').Count(line => line.StartsWith(EpochLine.ForDim(dim, string.Empty), StringComparison.Ordinal)));
            AssertSameRun(Path.Combine(alone.Path, $"dim{dim}"), Path.Combine(together.Path, $"dim{dim}"), $"dim {dim} in lockstep");
        }
    }

    [Fact]
    public void ACtrlCSavesEveryDimAndTheResumedSweepFinishesAsIfNeverStopped()
    {
        var data = RealMnist.Load();
        using var backend = new HostBackend();
        using var reference = new TempFolder();
        Sweep(reference.Path, backend, data, CancellationToken.None, TextWriter.Null);

        using var stopped = new TempFolder();
        // Ctrl-C while epoch 1 is in progress: the non-interactive progress line comes after the lead dim's second step.
        Assert.Throws<TrainingInterruptedException>(() => SweepStoppedAtFirstProgressLine(stopped.Path, Dims, backend, data));
        foreach (int dim in Dims)
        {
            var partial = Checkpoint.ReadState(Path.Combine(stopped.Path, $"dim{dim}")).Partial;
            Assert.NotNull(partial);
            Assert.Equal((1, StepsPerEpoch / 4), (partial.Epoch, partial.StepsDone));
        }

        // The first dim alone goes on into epoch 2 and is stopped there, so the dims resume from different places.
        Assert.Throws<TrainingInterruptedException>(() => SweepStoppedAtFirstProgressLine(stopped.Path, [Dims[0]], backend, data, epoch: 2));
        var first = Checkpoint.ReadState(Path.Combine(stopped.Path, $"dim{Dims[0]}"));
        Assert.Equal((1, 2, StepsPerEpoch / 4), (first.CompletedEpochs, first.Partial!.Epoch, first.Partial.StepsDone));

        Sweep(stopped.Path, backend, data, CancellationToken.None, TextWriter.Null);
        foreach (int dim in Dims)
        {
            AssertSameRun(Path.Combine(reference.Path, $"dim{dim}"), Path.Combine(stopped.Path, $"dim{dim}"), $"dim {dim} stopped and resumed");
        }
    }

    /// <summary>The importance-weighted bound of one run's weights, computed alone as eval computes it, with the sweep's seed (0).</summary>
    private static double NllAlone(string runDirectory, string accelerator)
    {
        var data = RealMnist.Load();
        using var backend = BackendFactory.Create(accelerator, 0, _ => { });
        using var model = SavedRuns.LoadModel(runDirectory, backend);
        using var inference = new VaeInference(model, seed: 0);
        return inference.ImportanceWeightedNll(BinarizedTestSet.For(model.Config, data.Test.Images[..(NllImages * model.Config.Pixels)]), NllSamples);
    }

    /// <summary>What train and sweep are both given: a small network on the first real images.</summary>
    private static string[] Options(string output, string accelerator) =>
    [
        "--accelerator", accelerator, "--hidden", "16", "--batch-size", $"{BatchSize}", "--epochs", $"{Epochs}", "--train-limit", $"{TrainLimit}",
        "--data", RepositoryPaths.MnistCache, "--out", output,
    ];

    private static RunSettings Settings(string output, int dim) => new(
        new VaeConfig(dim, Hidden: 16), new TrainingOptions { Epochs = Epochs, BatchSize = BatchSize }, RepositoryPaths.MnistCache, output, "host", 0, Resume: true, TrainLimit: TrainLimit);

    /// <summary>The dims in lockstep, as the sweep trains them on CUDA.</summary>
    private static void Sweep(string output, HostBackend backend, MnistData data, CancellationToken cancellation, TextWriter log, IReadOnlyList<int>? dims = null)
    {
        var opened = new List<DimensionTraining>();
        try
        {
            foreach (int dim in dims ?? Dims)
            {
                opened.Add(DimensionTraining.Open(Settings(output, dim), backend, data, log));
            }

            LockstepTraining.Train(opened, log, interactive: false, cancellation);
        }
        finally
        {
            foreach (var dim in opened)
            {
                dim.Dispose();
            }
        }
    }

    /// <summary>Ctrl-C, stood in for by cancelling when the progress line of the given epoch is written.</summary>
    private static void SweepStoppedAtFirstProgressLine(string output, IReadOnlyList<int> dims, HostBackend backend, MnistData data, int epoch = 1)
    {
        using var cancellation = new CancellationTokenSource();
        using var log = new CancellingWriter($"epoch {epoch,3} step", cancellation);
        Sweep(output, backend, data, cancellation.Token, log, dims);
    }

    private static void AssertSameRun(string expected, string actual, string what)
    {
        Assert.True(
            File.ReadAllBytes(Path.Combine(expected, Checkpoint.ModelFileName)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, Checkpoint.ModelFileName))),
            $"{what}: {Checkpoint.ModelFileName} differs");

        var (expectedMoments, expectedMetadata) = SafeTensorsFile.Read(Path.Combine(expected, Checkpoint.OptimizerFileName));
        var (actualMoments, actualMetadata) = SafeTensorsFile.Read(Path.Combine(actual, Checkpoint.OptimizerFileName));
        Assert.Equal(expectedMoments.Keys.Order(), actualMoments.Keys.Order());
        foreach (var (name, tensor) in expectedMoments)
        {
            Assert.True(tensor.Data.AsSpan().SequenceEqual(actualMoments[name].Data), $"{what}: {name} differs");
        }

        // The metrics rows carry wall-clock seconds, the one thing two runs cannot share.
        Assert.Equal(expectedMetadata.Where(pair => pair.Key != "metrics"), actualMetadata.Where(pair => pair.Key != "metrics"));
        var expectedRows = MetricsCsv.Read(Path.Combine(expected, Checkpoint.MetricsFileName));
        var actualRows = MetricsCsv.Read(Path.Combine(actual, Checkpoint.MetricsFileName));
        Assert.Equal(Epochs, actualRows.Count);
        Assert.Equal(
            expectedRows.Select(m => m with { Seconds = 0, ImagesPerSecond = 0 }),
            actualRows.Select(m => m with { Seconds = 0, ImagesPerSecond = 0 }));
    }

    /// <summary>A log that asks to stop, as Ctrl-C does, when a line holding a marker is written.</summary>
    private sealed class CancellingWriter(string marker, CancellationTokenSource cancellation) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            if (value is not null && value.Contains(marker, StringComparison.Ordinal))
            {
                cancellation.Cancel();
            }

            base.WriteLine(value);
        }
    }
}
