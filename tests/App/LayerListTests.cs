using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App;

/// <summary>
/// --encoder and --decoder: a layer list other than the original's trains, is recorded in the
/// checkpoint, and is rebuilt from it by eval and plot (serve: ServeCommandTests); a bad list,
/// --hidden beside one, or a list --resume did not train is one line, exit code 2, nothing written.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public sealed class LayerListTests
{
    private const string TanhEverywhere = "200:tanh,200:tanh";

    [Fact]
    public void ATanhEverywhereModelTrainsSavesEvaluatesAndPlots()
    {
        RealMnist.Load();
        using var folder = new TempFolder();
        var (code, log, error) = InProcessCli.RunCapturing(Train(folder.Path));
        Assert.True(code == 0, $"train failed ({code}): {error}\n{log}");
        Assert.Contains($"encoder {TanhEverywhere} | decoder {TanhEverywhere}", log, StringComparison.Ordinal);
        string run = Path.Combine(folder.Path, "dim50");
        var (tensors, metadata) = SafeTensorsFile.Read(Path.Combine(run, Checkpoint.ModelFileName));
        Assert.Equal((TanhEverywhere, TanhEverywhere), (metadata[CheckpointMetadata.EncoderKey], metadata[CheckpointMetadata.DecoderKey]));
        Assert.Equal([784, 200], tensors["encoder.hidden0.weight"].Shape);
        Assert.Equal([200, 100], tensors["encoder.output.weight"].Shape);
        var config = Checkpoint.ReadConfig(run);
        Assert.All(config.Encoder.Concat(config.Decoder), layer => Assert.Equal(new HiddenSpec(200, GpuVae.Kernels.Activation.Tanh), layer));

        var (evaluated, evaluation, evalError) = InProcessCli.RunCapturing(
            ["eval", "--checkpoint", run, "--samples", "10", "--images", "100", "--data", RepositoryPaths.MnistCache, "--accelerator", "host"]);
        Assert.True(evaluated == 0, $"eval failed ({evaluated}): {evalError}\n{evaluation}");
        Assert.Contains($"encoder {TanhEverywhere}, decoder {TanhEverywhere}", evaluation, StringComparison.Ordinal);
        Assert.Contains("test loss", evaluation, StringComparison.Ordinal);

        File.Delete(Path.Combine(folder.Path, "dim50.png"));
        var (plotted, plot, plotError) = InProcessCli.RunCapturing(["plot", "--out", folder.Path, "--data", RepositoryPaths.MnistCache, "--accelerator", "host"]);
        Assert.True(plotted == 0, $"plot failed ({plotted}): {plotError}\n{plot}");
        Assert.True(File.Exists(Path.Combine(folder.Path, "dim50.png")));
    }

    [Fact]
    public void ResumingWithOtherLayersIsOneLine()
    {
        RealMnist.Load();
        using var folder = new TempFolder();
        string[] Small(string encoder, string epochs) =>
        [
            "train", "--encoder", encoder, "--decoder", "16:tanh,16:elu", "--dim", "2", "--epochs", epochs, "--batch-size", "32", "--train-limit", "64",
            "--data", RepositoryPaths.MnistCache, "--out", folder.Path, "--accelerator", "host",
        ];
        Assert.Equal(0, InProcessCli.RunCapturing(Small("16:elu,16:tanh", "1")).Code);
        byte[] weights = File.ReadAllBytes(Path.Combine(folder.Path, "dim2", Checkpoint.ModelFileName));
        var (code, _, error) = InProcessCli.RunCapturing([.. Small("16:tanh,16:tanh", "2"), "--resume"]);
        Assert.Equal(2, code);
        Assert.Contains("was trained with --encoder 16:elu,16:tanh --decoder 16:tanh,16:elu", Assert.Single(error.Trim().Split('\n')), StringComparison.Ordinal);
        Assert.Equal(weights, File.ReadAllBytes(Path.Combine(folder.Path, "dim2", Checkpoint.ModelFileName)));
    }

    [Theory]
    [InlineData("--encoder 200:relu6", "--encoder: '200:relu6' has activation 'relu6', expected one of elu, tanh")]
    [InlineData("--decoder 200:tanh,x:elu", "--decoder: 'x:elu' is not W:activation")]
    [InlineData("--decoder 200:tanh,,200:elu", "--decoder: '' is not W:activation")]
    [InlineData("--encoder 0:tanh", "--encoder: '0:tanh' is not W:activation with W between 1 and 65536")]
    [InlineData("--encoder 200", "--encoder: '200' is not W:activation")]
    [InlineData("--hidden 200 --encoder 200:tanh", "--hidden sets the width of the default layers; with --encoder")]
    [InlineData("--hidden 200 --decoder 200:tanh", "--hidden sets the width of the default layers; with --decoder")]
    [InlineData("--encoder 8:tanh,8:tanh,8:tanh --decoder 8:tanh,8:tanh,8:tanh", "--encoder and --decoder give 6 hidden layers; a training step has dropout streams for 5 in all")]
    [InlineData("--model x", "--model must be one of vae, cvae, got x")]
    public void ABadLayerListOrModelIsOneLineAndWritesNothing(string options, string message)
    {
        using var folder = new TempFolder();
        string[] arguments = ["train", "--dim", "2", "--epochs", "1", "--data", RepositoryPaths.MnistCache, "--out", folder.Path, "--accelerator", "host", .. options.Split(' ')];
        foreach (string command in new[] { "train", "sweep" })
        {
            arguments[0] = command;
            var (code, _, error) = InProcessCli.RunCapturing(command == "sweep" ? [.. arguments.Where((_, i) => i is not (1 or 2))] : arguments);
            Assert.Equal(2, code);
            Assert.Contains(message, Assert.Single(error.Trim().Split('\n')), StringComparison.Ordinal);
            Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
        }
    }

    /// <summary>The worked example: Burda et al.'s tanh layers at dim 50, one short epoch.</summary>
    private static string[] Train(string output) =>
    [
        "train", "--encoder", TanhEverywhere, "--decoder", TanhEverywhere, "--dim", "50", "--epochs", "1", "--train-limit", "512",
        "--data", RepositoryPaths.MnistCache, "--out", output, "--accelerator", "host",
    ];
}
