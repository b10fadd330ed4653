using System.Runtime.InteropServices;
using GpuVae.Model.Persistence;
using GpuVae.Model.Training;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App;

/// <summary>
/// --lr-schedule on a real run: each epoch trains at its stage's rate (metrics.csv's
/// learning_rate column and the progress lines say which), the checkpoint records the
/// schedule, a run resumed mid-stage trains the same bits as one that never stopped, and
/// --resume refuses another schedule.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public sealed class LearningRateScheduleRunTests
{
    private const string Schedule = "2:0.002,1:0.0005";

    [Fact]
    public void EveryEpochTrainsAtItsStagesRateAndTheCheckpointRecordsTheSchedule()
    {
        RealMnist.Load();
        using var folder = new TempFolder();

        var (code, output, _) = InProcessCli.RunCapturing(Arguments(folder.Path, "--epochs", "4", "--lr-schedule", Schedule));

        Assert.Equal(0, code);
        string run = Path.Combine(folder.Path, "dim2");
        var metrics = MetricsCsv.Read(Path.Combine(run, Checkpoint.MetricsFileName));
        // Two epochs at 2e-3, then 5e-4 for the third and, past the stages, the fourth.
        Assert.Equal([2e-3f, 2e-3f, 5e-4f, 5e-4f], metrics.Select(m => m.LearningRate));
        var (_, metadata) = SafeTensorsFile.Read(Path.Combine(run, Checkpoint.OptimizerFileName));
        Assert.Equal(Schedule, metadata[CheckpointMetadata.LearningRatesKey]);
        Assert.Contains($"lr {Schedule}", output, StringComparison.Ordinal);
        // The redirected progress prints a line a quarter epoch, with the epoch's rate.
        Assert.Contains("epoch   1 step ", output, StringComparison.Ordinal);
        Assert.Contains("| lr 0.002 |", output, StringComparison.Ordinal);
        Assert.Contains("| lr 0.0005 |", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ARunResumedMidStageTrainsTheBitsOfOneThatNeverStopped()
    {
        RealMnist.Load();
        using var straight = new TempFolder();
        using var stopped = new TempFolder();

        Assert.Equal(0, InProcessCli.RunCapturing(Arguments(straight.Path, "--epochs", "4", "--lr-schedule", Schedule)).Code);
        // Stopped after epoch 1 (inside the first stage) and after epoch 3 (inside the last).
        foreach (string epochs in new[] { "1", "3", "4" })
        {
            Assert.Equal(0, InProcessCli.RunCapturing([.. Arguments(stopped.Path, "--epochs", epochs, "--lr-schedule", Schedule), "--resume"]).Code);
        }

        foreach (string file in new[] { Checkpoint.ModelFileName, Checkpoint.OptimizerFileName })
        {
            var (straightTensors, _) = SafeTensorsFile.Read(Path.Combine(straight.Path, "dim2", file));
            var (stoppedTensors, _) = SafeTensorsFile.Read(Path.Combine(stopped.Path, "dim2", file));
            Assert.Equal(straightTensors.Keys, stoppedTensors.Keys);
            foreach (var (name, tensor) in straightTensors)
            {
                Assert.True(
                    MemoryMarshal.AsBytes(tensor.Data.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(stoppedTensors[name].Data.AsSpan())),
                    $"{file} {name} differs after the resumed run");
            }
        }

        Assert.Equal(
            MetricsCsv.Read(Path.Combine(straight.Path, "dim2", Checkpoint.MetricsFileName)).Select(m => (m.TrainLoss, m.TestLoss, m.LearningRate)),
            MetricsCsv.Read(Path.Combine(stopped.Path, "dim2", Checkpoint.MetricsFileName)).Select(m => (m.TrainLoss, m.TestLoss, m.LearningRate)));
    }

    [Theory]
    [InlineData("--lr-schedule 1:0.001,2:0.0005", "--resume --lr-schedule 1:0.002,2:0.0005", "1:0.002,2:0.0005")]
    [InlineData("--lr-schedule burda", "--resume", "0.001")]
    [InlineData("--lr 0.002", "--resume --lr-schedule burda", "burda")]
    public void ResumingWithAnotherScheduleIsAUsageError(string trained, string resumed, string culprit)
    {
        RealMnist.Load();
        using var folder = new TempFolder();
        Assert.Equal(0, InProcessCli.RunCapturing(Arguments(folder.Path, ["--epochs", "1", .. trained.Split(' ')])).Code);
        string weights = Path.Combine(folder.Path, "dim2", Checkpoint.ModelFileName);
        byte[] before = File.ReadAllBytes(weights);

        var (code, error) = InProcessCli.Run(Arguments(folder.Path, ["--epochs", "2", .. resumed.Split(' ')]));

        Assert.Equal(2, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("--resume", error, StringComparison.Ordinal);
        Assert.Contains(culprit == "burda" ? LearningRateSchedule.Burda.ToString() : culprit, error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(weights));
    }

    [Theory]
    [InlineData("--lr-schedule 1:fast", "--lr-schedule: '1:fast'")]
    [InlineData("--lr-schedule 0:0.001", "--lr-schedule: '0:0.001'")]
    [InlineData("--lr-schedule 1:2", "--lr-schedule: every rate must be in (0, 1]")]
    [InlineData("--lr 0.002 --lr-schedule burda", "--lr and --lr-schedule")]
    public void ABadScheduleIsOneLineAndNothingIsWritten(string options, string message)
    {
        RealMnist.Load();
        using var folder = new TempFolder();

        var (code, error) = InProcessCli.Run(Arguments(folder.Path, ["--epochs", "1", .. options.Split(' ')]));

        Assert.Equal(2, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    /// <summary>A tiny run on 64 real images: two steps an epoch.</summary>
    private static string[] Arguments(string output, params string[] options) =>
    [
        "train", "--accelerator", "host", "--dim", "2", "--hidden", "16", "--batch-size", "32", "--train-limit", "64",
        "--data", RepositoryPaths.MnistCache, "--out", output, .. options,
    ];
}
