using GpuVae.App;
using GpuVae.App.Experiment;
using GpuVae.Kernels.Host;
using GpuVae.Model.Evaluation;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Model.Training;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App;

/// <summary>
/// The training objective (--beta, --objective, --k) is part of a run: its checkpoint records
/// it, its metrics report it, and --resume refuses to continue it under another one.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public sealed class ObjectiveResumeTests
{
    [Theory]
    [InlineData("--beta 0.5", "--beta 1", "--beta 0.5")]
    [InlineData("--objective iwae --k 3", "--objective elbo", "--objective iwae --k 3")]
    [InlineData("--objective iwae --k 3", "--objective iwae --k 2", "--objective iwae --k 3")]
    [InlineData("--validation 16", "--validation 0", "--validation 16")]
    public void ResumingWithAnotherObjectiveIsAUsageError(string trained, string resumed, string culprit)
    {
        RealMnist.Load();
        using var folder = new TempFolder();
        Assert.Equal(0, Train(folder.Path, trained, "--epochs 1"));
        string run = Path.Combine(folder.Path, "dim2");
        var (_, metadata) = SafeTensorsFile.Read(Path.Combine(run, Checkpoint.OptimizerFileName));
        var objective = trained.Split(' ');
        for (int i = 0; i < objective.Length; i += 2)
        {
            Assert.Equal(objective[i + 1], metadata[objective[i].TrimStart('-')]);
        }

        byte[] weights = File.ReadAllBytes(Path.Combine(run, Checkpoint.ModelFileName));

        var (code, error) = InProcessCli.Run([.. Arguments(folder.Path, resumed, "--epochs 2"), "--resume"]);
        Assert.Equal(2, code);
        Assert.Contains(culprit, error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Equal(weights, File.ReadAllBytes(Path.Combine(run, Checkpoint.ModelFileName)));
    }

    /// <summary>A sweep checks a finished run's settings too, before it skips it as done or trains anything.</summary>
    [Fact]
    public void ASweepOverARunTrainedOtherwiseIsAUsageError()
    {
        RealMnist.Load();
        using var folder = new TempFolder();
        Assert.Equal(0, Train(folder.Path, "--beta 0.5", "--epochs 1"));
        byte[] weights = File.ReadAllBytes(Path.Combine(folder.Path, "dim2", Checkpoint.ModelFileName));

        var (code, error) = InProcessCli.Run(
        [
            "sweep", "--accelerator", "host", "--dims", "2", "--hidden", "16", "--batch-size", "32", "--epochs", "1", "--train-limit", "64",
            "--nll-samples", "0", "--data", RepositoryPaths.MnistCache, "--out", folder.Path,
        ]);

        Assert.Equal(2, code);
        Assert.Contains("sweep: ", error, StringComparison.Ordinal);
        Assert.Contains("--objective elbo --beta 0.5", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Equal(weights, File.ReadAllBytes(Path.Combine(folder.Path, "dim2", Checkpoint.ModelFileName)));
    }

    /// <summary>The loss columns are BCE + beta * KLD; BCE and KLD stay unweighted.</summary>
    [Fact]
    public void TheLossColumnsWeighTheKlByBeta()
    {
        RealMnist.Load();
        using var folder = new TempFolder();
        Assert.Equal(0, Train(folder.Path, "--beta 0.25", "--epochs 1"));
        var metrics = MetricsCsv.Read(Path.Combine(folder.Path, "dim2", "metrics.csv"));
        var row = Assert.Single(metrics);
        Assert.Equal(row.TrainBce + (0.25 * row.TrainKld), row.TrainLoss, 1e-9 * row.TrainLoss);
        Assert.Equal(row.TestBce + (0.25 * row.TestKld), row.TestLoss, 1e-9 * row.TestLoss);
        Assert.True(row.TrainKld > 0.1, $"the KL term is {row.TrainKld}: too small to tell the weighting");
    }

    /// <summary>
    /// --validation 32 holds out the last 32 of the first 96 images: the run trains on the first 64 (two
    /// steps an epoch) and reports the held-out images' losses each epoch, evaluated as the
    /// test set is, in three more metrics columns.
    /// </summary>
    [Fact]
    public void ValidationLossesAreReportedEveryEpoch()
    {
        var data = RealMnist.Load();
        using var folder = new TempFolder();
        Assert.Equal(0, Train(folder.Path, "--epochs 2", "--validation 32", "--train-limit 96"));
        string path = Path.Combine(folder.Path, "dim2", "metrics.csv");
        Assert.Equal(MetricsCsv.Header + MetricsCsv.LearningRateColumns + MetricsCsv.ValidationColumns, File.ReadLines(path).First());
        var metrics = MetricsCsv.Read(path);
        Assert.Equal(2, metrics.Count);
        foreach (var row in metrics)
        {
            var held = Assert.IsType<HeldOutLosses>(row.Validation);
            Assert.Equal(held.Bce + held.Kld, held.Loss, 1e-9 * held.Loss);
            Assert.NotEqual(row.TestLoss, held.Loss);
        }

        // The last row's numbers are those of the saved model on images 64 to 95, evaluated as the trainer does.
        using var backend = new HostBackend();
        using var model = SavedRuns.LoadModel(Path.Combine(folder.Path, "dim2"), backend);
        using var inference = new VaeInference(model, seed: 0);
        var expected = inference.Evaluate(data.Train.Images.AsSpan(64 * MnistShape.Pixels, 32 * MnistShape.Pixels));
        Assert.Equal((expected.MeanLoss, expected.MeanBce, expected.MeanKld), (metrics[^1].Validation!.Loss, metrics[^1].Validation!.Bce, metrics[^1].Validation!.Kld));
    }

    /// <summary>A data set too small for the held-out images and one batch: a usage error, nothing trained.</summary>
    [Fact]
    public void AValidationSplitLeavingLessThanABatchOfTheDataIsAUsageError()
    {
        RealMnist.Load();
        using var folder = new TempFolder();
        var (code, error) = InProcessCli.Run(Arguments(folder.Path, "--epochs 1", "--validation 59990"));
        Assert.Equal(2, code);
        Assert.Contains("--validation 59990", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    private static int Train(string output, params string[] options)
    {
        var originalOut = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            return Cli.Run(Arguments(output, options));
        }
        finally
        {
            Console.SetOut(originalOut);
        }
    }

    /// <summary>A tiny run on 64 real images (unless options give another --train-limit): two steps an epoch.</summary>
    private static string[] Arguments(string output, params string[] options) =>
    [
        "train", "--accelerator", "host", "--dim", "2", "--hidden", "16", "--batch-size", "32",
        "--data", RepositoryPaths.MnistCache, "--out", output,
        .. options.Any(option => option.StartsWith("--train-limit", StringComparison.Ordinal)) ? Array.Empty<string>() : ["--train-limit", "64"],
        .. options.SelectMany(option => option.Split(' ', StringSplitOptions.RemoveEmptyEntries)),
    ];
}
