using System.Globalization;
using System.Text.RegularExpressions;
using GpuVae.App.Experiment;
using GpuVae.Kernels.Host;
using GpuVae.Model.Evaluation;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Model.Persistence;

/// <summary>
/// Checkpoints written by the code before the layer list was recorded (format gpuvae-vae-1,
/// one hidden width), committed under Fixtures/ with the log of the run that wrote them
/// (`train --dim 2 --hidden 16 --epochs 1 --train-limit 512 --accelerator host`, vae and cvae):
/// each still reads as the TensorFlow original's layers at its width, evaluates to the test
/// loss its log printed, and resumes for one more epoch into a version-2 checkpoint.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public sealed partial class OldCheckpointTests
{
    public static TheoryData<string, ModelKind> Fixtures => new() { { "old-vae", ModelKind.Vae }, { "old-cvae", ModelKind.Cvae } };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void AnOldCheckpointLoadsAsTheDefaultLayersAndEvaluatesToItsLoggedTestLoss(string fixture, ModelKind kind)
    {
        string run = Fixture(fixture);
        var (_, metadata) = SafeTensorsFile.Read(Path.Combine(run, Checkpoint.ModelFileName));
        Assert.Equal(CheckpointMetadata.FormatVersion1, metadata[CheckpointMetadata.FormatKey]);
        var config = Checkpoint.ReadConfig(run);
        Assert.Equal(kind, config.Kind);
        Assert.Equal("16:elu,16:tanh", HiddenSpecs.Format(config.Encoder));
        Assert.Equal("16:tanh,16:elu", HiddenSpecs.Format(config.Decoder));

        var data = RealMnist.Load();
        using var backend = new HostBackend();
        using var model = SavedRuns.LoadModel(run, backend);
        using var inference = new VaeInference(model, seed: 0);
        double loss = inference.Evaluate(data.Test.Images, config.ReadsLabels ? LabelOneHots.Of(data.Test.Labels, config.Classes) : null).MeanLoss;
        // As the log prints it: two decimals.
        Assert.Equal(LoggedTestLoss(fixture), loss.ToString("F2", CultureInfo.InvariantCulture));
        Assert.Equal(MetricsCsv.Read(Path.Combine(run, Checkpoint.MetricsFileName))[^1].TestLoss, loss, 1e-9 * loss);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void AnOldCheckpointResumesOneMoreEpochIntoTheNewFormat(string fixture, ModelKind kind)
    {
        using var output = new TempFolder();
        string run = Path.Combine(output.Path, "dim2");
        Directory.CreateDirectory(run);
        foreach (string file in Directory.GetFiles(Fixture(fixture), "*.*").Where(file => !file.EndsWith(".log", StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(run, Path.GetFileName(file)));
        }

        var (code, log, error) = InProcessCli.RunCapturing(
        [
            "train", "--resume", "--model", ModelKinds.Name(kind), "--dim", "2", "--hidden", "16", "--epochs", "2", "--train-limit", "512",
            "--data", RepositoryPaths.MnistCache, "--out", output.Path, "--accelerator", "host",
        ]);
        Assert.True(code == 0, $"resume failed ({code}): {error}\n{log}");
        Assert.Equal(2, Checkpoint.ReadMetrics(run).Count);
        Assert.Equal(2, Checkpoint.ReadState(run).CompletedEpochs);
        var (_, metadata) = SafeTensorsFile.Read(Path.Combine(run, Checkpoint.ModelFileName));
        Assert.Equal(CheckpointMetadata.Format, metadata[CheckpointMetadata.FormatKey]);
        Assert.Equal("16:elu,16:tanh", metadata[CheckpointMetadata.EncoderKey]);
        Assert.Equal(Checkpoint.ReadConfig(Fixture(fixture)), Checkpoint.ReadConfig(run));
    }

    private static string Fixture(string name) => Path.Combine(RepositoryPaths.Root, "tests", "Model", "Persistence", "Fixtures", name);

    private static string LoggedTestLoss(string fixture)
    {
        string log = File.ReadAllText(Path.Combine(Fixture(fixture), "train.log"));
        return FinalTestLoss().Match(log).Groups[1].Value;
    }

    [GeneratedRegex(@"final test loss ([0-9.]+)")]
    private static partial Regex FinalTestLoss();
}
