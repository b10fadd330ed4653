using GpuVae.Model.Persistence;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Api;

/// <summary>
/// <see cref="VaeTrainer"/> guards a folder's model as the command line does: training into a
/// folder that holds one is refused, naming the folder and how far it got, and writes nothing,
/// unless Resume continues it or Overwrite replaces it; Resume refuses a run trained otherwise.
/// </summary>
public sealed class VaeTrainerFolderTests
{
    private static readonly VaeTrainingOptions Small = new()
    {
        Latent = 2, Hidden = 16, Epochs = 1, BatchSize = 64, TrainLimit = 128, Accelerator = AcceleratorChoice.Host,
    };

    [Fact]
    public void AFolderHoldingAModelIsReplacedOnlyByOverwrite()
    {
        var data = RealMnist.ForApi(128, 100);
        using var folder = new TempFolder();
        string run = folder.File("run");
        VaeTrainer.Train(run, data, Small, cancellationToken: TestContext.Current.CancellationToken);
        var before = Snapshot(run);

        var e = Assert.Throws<InvalidOperationException>(() => VaeTrainer.Train(run, data, Small with { Epochs = 2 }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains(run, e.Message, StringComparison.Ordinal);
        Assert.Contains("trained 1 epoch (of Epochs 2)", e.Message, StringComparison.Ordinal);
        Assert.Contains("Resume", e.Message, StringComparison.Ordinal);
        Assert.Contains("Overwrite", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(run));

        var both = Assert.Throws<ArgumentException>(() => VaeTrainer.Train(run, data, Small with { Resume = true, Overwrite = true }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("options.Overwrite", both.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(run));

        var reports = VaeTrainer.Train(run, data, Small with { Seed = 1, Overwrite = true }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([1], reports.Select(r => r.Epoch));
        Assert.Equal(1, Checkpoint.ReadState(run).Seed);
    }

    [Fact]
    public void ResumeRefusesARunTrainedOtherwiseNamingTheProperties()
    {
        var data = RealMnist.ForApi(128, 100);
        using var folder = new TempFolder();
        string run = folder.File("run");
        VaeTrainer.Train(run, data, Small with { Beta = 0.5f }, cancellationToken: TestContext.Current.CancellationToken);
        var before = Snapshot(run);

        var e = Assert.Throws<InvalidOperationException>(() => VaeTrainer.Train(run, data, Small with { Epochs = 2, Seed = 3, Resume = true }, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains($"cannot resume {run}: it was trained with Seed 0, Beta 0.5, not Seed 3, Beta 1", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(run));

        // Weights kept without the optimizer state cannot be resumed, and are not replaced for it.
        File.Delete(Path.Combine(run, Checkpoint.OptimizerFileName));
        before = Snapshot(run);
        var alone = Assert.Throws<InvalidOperationException>(() => VaeTrainer.Train(run, data, Small with { Beta = 0.5f, Epochs = 2, Resume = true }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("without the optimizer state", alone.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(run));
    }

    private static Dictionary<string, string> Snapshot(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(path => Path.GetRelativePath(folder, path), path => Convert.ToHexString(File.ReadAllBytes(path)));

}
