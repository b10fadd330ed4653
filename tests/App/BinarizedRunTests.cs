using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App;

/// <summary>
/// `train --binarize dynamic` end to end: it trains, the checkpoint records it, eval evaluates
/// on the binarized test set and calls the bound a bound on a normalized likelihood, and
/// resuming with the other setting is a usage error.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public sealed class BinarizedRunTests
{
    [Fact]
    public void BinarizedTrainingRunsAndEvalUsesTheCheckpointsSetting()
    {
        using var folder = new TempFolder();
        string[] train = ["train", "--dim", "2", "--hidden", "16", "--batch-size", "64", "--train-limit", "640",
            "--data", RepositoryPaths.MnistCache, "--out", folder.Path, "--accelerator", "host", "--binarize", "dynamic"];
        var (code, output, error) = InProcessCli.RunCapturing([.. train, "--epochs", "1"]);
        Assert.True(code == 0, $"train failed ({code}): {error}");
        Assert.Contains("binarize dynamic", output, StringComparison.Ordinal);
        string run = Path.Combine(folder.Path, "dim2");
        Assert.Equal(Binarization.Dynamic, Checkpoint.ReadConfig(run).Binarization);
        double testLoss = Checkpoint.ReadMetrics(run)[0].TestLoss;
        Assert.True(double.IsFinite(testLoss) && testLoss > 0, $"test loss {testLoss}");

        var (evalCode, evalOutput, evalError) = InProcessCli.RunCapturing(
            ["eval", "--checkpoint", run, "--samples", "5", "--exact-points", "50", "--data", RepositoryPaths.MnistCache, "--accelerator", "host"]);
        Assert.True(evalCode == 0, $"eval failed ({evalCode}): {evalError}");
        Assert.Contains("binarized once with seed 0x5EEDB1A5", evalOutput, StringComparison.Ordinal);
        Assert.Contains("a true bound on a normalized likelihood", evalOutput, StringComparison.Ordinal);
        Assert.Contains("; bound - exact = ", evalOutput, StringComparison.Ordinal);
        Assert.Contains("a normalized likelihood of the binarized test images", evalOutput, StringComparison.Ordinal);
        // Eval draws the same z as training's last evaluation (seed 0, the same streams), so the two
        // agree to eval's two printed decimals; on the grey test set they were 3 nats apart.
        string line = evalOutput.Split('\n').Single(l => l.StartsWith("test loss ", StringComparison.Ordinal));
        double evalLoss = double.Parse(line.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
        TestContext.Current.TestOutputHelper?.WriteLine($"eval test loss {evalLoss}, the run's {testLoss}");
        Assert.True(Math.Abs(testLoss - evalLoss) <= 0.006, $"eval test loss {evalLoss} vs the run's {testLoss}");

        var (resumeCode, resumeError) = InProcessCli.Run([.. train[..^1], "none", "--resume", "--epochs", "2"]);
        Assert.Equal(2, resumeCode);
        Assert.Contains("--binarize dynamic", resumeError, StringComparison.Ordinal);
    }
}
