using System.Security.Cryptography;
using GpuVae.App.Data;
using GpuVae.App.Runs;
using GpuVae.Kernels.Host;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Model.Training;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App;

/// <summary>
/// A kill between any two file operations of a save, stood in for by failing the Nth one:
/// the folder reads as one consistent commit at once, and continuing it as `sweep` does
/// finishes the run with the weights, moments and metrics of a run that was never stopped.
/// </summary>
public sealed class InterruptedSaveTests
{
    private const int Epochs = 2;

    [Fact]
    public void AKillAtEveryFileOperationOfEverySaveContinuesToTheUninterruptedRun()
    {
        var data = RealMnist.Load();
        using var backend = new HostBackend();
        using var reference = new TempFolder();
        var operations = new List<string>();
        Train(Settings(reference.Path, resume: false), backend, data, operations.Add);
        // Per epoch: weights to the pending name (create, rename), the optimizer file (create,
        // rename: the commit), the weights into place, metrics.csv (create, rename).
        Assert.Equal(Epochs * 7, operations.Count);

        for (int n = 1; n <= operations.Count; n++)
        {
            string when = $"killed before operation {n} of {operations.Count} ({operations[n - 1]})";
            using var folder = new TempFolder();
            var settings = Settings(folder.Path, resume: false);
            int seen = 0;
            Assert.Throws<SimulatedKill>(() => Train(settings, backend, data, operation =>
            {
                if (++seen == n)
                {
                    throw new SimulatedKill();
                }
            }));
            // A real kill also leaves the temporary file it was writing.
            File.WriteAllBytes(Path.Combine(settings.RunDirectory, $".{Checkpoint.ModelFileName}.{Guid.NewGuid():N}.tmp"), [1, 2, 3]);
            AssertReadsAsOneCommit(settings.RunDirectory, backend, when);

            // As sweep continues a dim.
            Checkpoint.Recover(settings.RunDirectory);
            if (!DimensionRun.IsFinished(settings.RunDirectory, Epochs))
            {
                Train(settings with { Resume = true }, backend, data, _ => { });
            }

            AssertSameRun(Path.Combine(reference.Path, "dim3"), settings.RunDirectory, when);
        }
    }

    private static RunSettings Settings(string output, bool resume) => new(
        new VaeConfig(3, Hidden: 16), new TrainingOptions { Epochs = Epochs, BatchSize = 32 }, RepositoryPaths.MnistCache, output, "host", 0, resume, TrainLimit: 256);

    private static void Train(RunSettings settings, HostBackend backend, MnistData data, Action<string> beforeEachFileOperation)
    {
        FileOperations.BeforeEach.Value = beforeEachFileOperation;
        try
        {
            DimensionRun.Train(settings, backend, data, TextWriter.Null, interactive: false, CancellationToken.None);
        }
        finally
        {
            FileOperations.BeforeEach.Value = null;
        }
    }

    /// <summary>What plot, eval and IsFinished see: weights, position and metrics rows of the same epoch.</summary>
    private static void AssertReadsAsOneCommit(string runDirectory, HostBackend backend, string when)
    {
        if (!Checkpoint.Exists(runDirectory))
        {
            Assert.False(Checkpoint.HasWeights(runDirectory), when);
            Assert.Empty(Checkpoint.ReadMetrics(runDirectory));
            return;
        }

        using var model = new Vae(backend, Checkpoint.ReadConfig(runDirectory));
        var state = Checkpoint.LoadForResume(runDirectory, model);
        Assert.True(state.CompletedEpochs == Checkpoint.ReadMetrics(runDirectory).Count, $"{when}: weights of epoch {state.CompletedEpochs}, metrics of {Checkpoint.ReadMetrics(runDirectory).Count}");
        Assert.Equal(state.CompletedEpochs >= Epochs, DimensionRun.IsFinished(runDirectory, Epochs));
    }

    private static void AssertSameRun(string expected, string actual, string when)
    {
        Assert.True(
            Directory.GetFiles(expected).Select(Path.GetFileName).Order().SequenceEqual(Directory.GetFiles(actual).Select(Path.GetFileName).Order()),
            $"{when}: files {string.Join(", ", Directory.GetFiles(actual).Select(Path.GetFileName).Order())}");
        Assert.True(Sha256(expected, Checkpoint.ModelFileName) == Sha256(actual, Checkpoint.ModelFileName), $"{when}: {Checkpoint.ModelFileName} differs");

        var (expectedMoments, expectedMetadata) = SafeTensorsFile.Read(Path.Combine(expected, Checkpoint.OptimizerFileName));
        var (actualMoments, actualMetadata) = SafeTensorsFile.Read(Path.Combine(actual, Checkpoint.OptimizerFileName));
        Assert.Equal(expectedMoments.Keys.Order(), actualMoments.Keys.Order());
        foreach (var (name, tensor) in expectedMoments)
        {
            Assert.True(tensor.Data.AsSpan().SequenceEqual(actualMoments[name].Data), $"{when}: {name} differs");
        }

        // The metrics rows carry wall-clock seconds, the one thing two runs cannot share.
        Assert.Equal(expectedMetadata.Keys.Order(), actualMetadata.Keys.Order());
        Assert.Equal(expectedMetadata.Where(pair => pair.Key != "metrics"), actualMetadata.Where(pair => pair.Key != "metrics"));
        Assert.Equal(actualMetadata["metrics"], File.ReadAllText(Path.Combine(actual, Checkpoint.MetricsFileName)));
        var expectedRows = MetricsCsv.Read(Path.Combine(expected, Checkpoint.MetricsFileName));
        var actualRows = MetricsCsv.Read(Path.Combine(actual, Checkpoint.MetricsFileName));
        Assert.Equal(
            expectedRows.Select(m => m with { Seconds = 0, ImagesPerSecond = 0 }),
            actualRows.Select(m => m with { Seconds = 0, ImagesPerSecond = 0 }));
    }

    private static string Sha256(string directory, string name) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(directory, name))));

    private sealed class SimulatedKill : Exception;
}
