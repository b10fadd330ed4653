using GpuVae.App.Data;
using GpuVae.Kernels.Host;
using GpuVae.Model.Evaluation;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Tests.App.Data;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App;

/// <summary>
/// --model: the kind is part of a run. The checkpoint records it and the classes, old checkpoints
/// read as vae, --resume refuses the other kind, and a bad --model or a cvae without labels is
/// one line, exit code 2, nothing written.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public sealed class ConditionalModelTests
{
    [Fact]
    public void ACvaeCheckpointRecordsItsKindAndLoadsToTheSameTestLoss()
    {
        var data = RealMnist.Load();
        using var folder = new TempFolder();
        var (code, log, error) = InProcessCli.RunCapturing(Arguments(folder.Path, "--model cvae"));
        Assert.True(code == 0, $"train failed ({code}): {error}\n{log}");
        string run = Path.Combine(folder.Path, "dim2");
        var config = Checkpoint.ReadConfig(run);
        Assert.Equal((ModelKind.Cvae, 10), (config.Kind, config.Classes));
        var (tensors, metadata) = SafeTensorsFile.Read(Path.Combine(run, Checkpoint.ModelFileName));
        Assert.Equal(("cvae", "10"), (metadata["model"], metadata["classes"]));
        Assert.Equal([10, 16], tensors["encoder.hidden0.label_weight"].Shape);
        Assert.Equal([10, 16], tensors["decoder.hidden0.label_weight"].Shape);
        Assert.True(File.Exists(Path.Combine(folder.Path, "manifold_class7.png")));
        Assert.False(File.Exists(Path.Combine(folder.Path, "interpolation_dim2.png")));

        // The saved weights give the test loss the run reported, given the true labels.
        using var backend = new HostBackend();
        using var model = GpuVae.App.Experiment.SavedRuns.LoadModel(run, backend);
        using var inference = new VaeInference(model, seed: 0);
        double loss = inference.Evaluate(data.Test.Images, LabelOneHots.Of(data.Test.Labels, 10)).MeanLoss;
        Assert.Equal(MetricsCsv.Read(Path.Combine(run, Checkpoint.MetricsFileName))[^1].TestLoss, loss, 1e-9 * loss);

        // A version-1 checkpoint saved before the kind was recorded is a plain VAE.
        using var old = new TempFolder();
        var vaeRun = Path.Combine(old.Path, "dim2");
        Assert.Equal(0, InProcessCli.RunCapturing(Arguments(old.Path)).Code);
        var (vaeTensors, vaeMetadata) = SafeTensorsFile.Read(Path.Combine(vaeRun, Checkpoint.ModelFileName));
        Assert.Equal("vae", vaeMetadata["model"]);
        using var legacy = new TempFolder();
        // Version 1, before it recorded the kind: one hidden width, no model or classes.
        var legacyMetadata = vaeMetadata.Where(entry => entry.Key is not ("model" or "classes" or "encoder" or "decoder")).ToDictionary();
        legacyMetadata["format"] = "gpuvae-vae-1";
        legacyMetadata["hidden"] = "16";
        SafeTensorsFile.Write(Path.Combine(legacy.Path, Checkpoint.ModelFileName), [.. vaeTensors.Values], legacyMetadata);
        Assert.Equal((ModelKind.Vae, 0), (Checkpoint.ReadConfig(legacy.Path).Kind, Checkpoint.ReadConfig(legacy.Path).Classes));
    }

    [Theory]
    [InlineData("vae", "cvae")]
    [InlineData("cvae", "vae")]
    public void ResumingARunOfTheOtherKindIsOneLine(string trained, string resumed)
    {
        RealMnist.Load();
        using var folder = new TempFolder();
        Assert.Equal(0, InProcessCli.RunCapturing(Arguments(folder.Path, $"--model {trained}")).Code);
        byte[] weights = File.ReadAllBytes(Path.Combine(folder.Path, "dim2", Checkpoint.ModelFileName));
        var (code, _, error) = InProcessCli.RunCapturing([.. Arguments(folder.Path, $"--model {resumed}"), "--resume"]);
        Assert.Equal(2, code);
        Assert.Contains($"holds a {trained}, not a {resumed}: pass --model {trained}", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Equal(weights, File.ReadAllBytes(Path.Combine(folder.Path, "dim2", Checkpoint.ModelFileName)));
    }

    [Fact]
    public void AnUnknownModelIsOneLine()
    {
        using var folder = new TempFolder();
        var (code, _, error) = InProcessCli.RunCapturing(Arguments(folder.Path, "--model x"));
        Assert.Equal(2, code);
        Assert.Equal("--model must be one of vae, cvae, got x", Assert.Single(error.Trim().Split('\n')).Trim().Replace("error: ", string.Empty, StringComparison.Ordinal));
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void ACvaeWithoutTrainingLabelsIsOneLineNamingTheFile()
    {
        using var data = new TempFolder();
        using var output = new TempFolder();
        data.Write(Mnist.TrainImages, Idx.Images(320, rows: 16, cols: 16));
        data.Write(Mnist.TestImages, Idx.Images(120, rows: 16, cols: 16));
        data.Write(Mnist.TestLabels, Idx.Labels([.. Enumerable.Range(0, 120).Select(i => (byte)(i % 10))]));
        var (code, _, error) = InProcessCli.RunCapturing(
            ["train", "--model", "cvae", "--dim", "2", "--epochs", "1", "--hidden", "16", "--batch-size", "32", "--data", data.Path, "--out", output.Path, "--accelerator", "host"]);
        Assert.Equal(2, code);
        Assert.Contains(Path.Combine(data.Path, Mnist.TrainLabels), Assert.Single(error.Trim().Split('\n')), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(output.Path));
    }

    /// <summary>A tiny run on 64 real images: two steps of one epoch.</summary>
    private static string[] Arguments(string output, params string[] options) =>
    [
        "train", "--accelerator", "host", "--dim", "2", "--hidden", "16", "--batch-size", "32", "--epochs", "1", "--train-limit", "64",
        "--data", RepositoryPaths.MnistCache, "--out", output,
        .. options.SelectMany(option => option.Split(' ', StringSplitOptions.RemoveEmptyEntries)),
    ];
}
