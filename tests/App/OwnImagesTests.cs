using GpuVae.App.Data;
using GpuVae.Model.Persistence;
using GpuVae.Tests.App.Data;
using GpuVae.Tests.Support;
using SixLabors.ImageSharp;
using Xunit;

namespace GpuVae.Tests.App;

/// <summary>
/// --data with IDX images that are not MNIST's: 16x16 images, test labels only, written here.
/// They train with no code change, nothing is downloaded, every picture has 16x16 tiles, the
/// picture that needs missing labels is skipped with one line, and a file of another kind is a
/// one-line usage error that writes nothing.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public sealed class OwnImagesTests
{
    private const int Side = 16;

    [Fact]
    public void SixteenBySixteenImagesTrainAndDrawWithoutTheMissingLabels()
    {
        using var data = new TempFolder();
        using var output = new TempFolder();
        data.Write(Mnist.TrainImages, Idx.Images(320, rows: Side, cols: Side));
        data.Write(Mnist.TestImages + ".gz", Idx.Gzip(Idx.Images(120, rows: Side, cols: Side)));
        data.Write(Mnist.TestLabels, Idx.Labels([.. Enumerable.Range(0, 120).Select(i => (byte)(i % 10))]));

        var (code, log, error) = InProcessCli.RunCapturing(
            ["train", "--dim", "2", "--epochs", "1", "--hidden", "16", "--batch-size", "32", "--data", data.Path, "--out", output.Path, "--accelerator", "host"]);
        Assert.True(code == 0, $"train failed ({code}): {error}\n{log}");
        Assert.Contains("320 training and 120 test images of 16x16", log, StringComparison.Ordinal);
        Assert.Contains($"train_z_map.png skipped: the z maps colour each code by its label, and the data has no train label file ({Mnist.TrainLabels})", log, StringComparison.Ordinal);
        Assert.Equal(3, Directory.GetFiles(data.Path).Length);

        var config = Checkpoint.ReadConfig(Path.Combine(output.Path, "dim2"));
        Assert.Equal((Side * Side, Side, Side), (config.Pixels, config.ImageRows, config.ImageCols));
        // DigitGrid's layout: scale * (tiles * 16 + (tiles - 1) * gap), gap 2, the pairs of reconstruction rows 3 * gap apart.
        AssertSize(output.File("dim2.png"), 2 * ((10 * Side) + (9 * 2)), 2 * ((10 * Side) + (9 * 2) + (4 * 2 * 2)));
        AssertSize(output.File("samples_dim2.png"), 2 * ((10 * Side) + (9 * 2)), 2 * ((10 * Side) + (9 * 2)));
        AssertSize(output.File("interpolation_dim2.png"), 2 * ((10 * Side) + (9 * 2)), 2 * ((8 * Side) + (7 * 2)));
        AssertSize(output.File("manifold.png"), (20 * Side) + (19 * 2), (20 * Side) + (19 * 2));
        Assert.True(File.Exists(output.File("test_z_map.png")));
        Assert.False(File.Exists(output.File("train_z_map.png")));

        var (evalCode, evalLog, evalError) = InProcessCli.RunCapturing(
            ["eval", "--checkpoint", Path.Combine(output.Path, "dim2"), "--samples", "3", "--exact-points", "20", "--data", data.Path, "--accelerator", "host"]);
        Assert.True(evalCode == 0, $"eval failed ({evalCode}): {evalError}");
        Assert.Contains("120 test images", evalLog, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x00000D03u, "type 0x08 (unsigned byte)")]
    [InlineData(0x00000804u, "need 3 (count x rows x cols)")]
    public void ImagesOfAnotherKindAreAOneLineUsageErrorThatWritesNothing(uint magic, string problem)
    {
        using var data = new TempFolder();
        using var output = new TempFolder();
        string bad = data.Write(Mnist.TrainImages, Idx.Images(40, magic: magic, rows: Side, cols: Side));
        data.Write(Mnist.TestImages, Idx.Images(10, rows: Side, cols: Side));
        string run = Path.Combine(output.Path, "save");

        var (code, error) = InProcessCli.Run(["train", "--dim", "2", "--epochs", "1", "--hidden", "8", "--batch-size", "8", "--data", data.Path, "--out", run, "--accelerator", "host"]);
        Assert.Equal(2, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains(bad, error, StringComparison.Ordinal);
        Assert.Contains(problem, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(run), $"{run} was created");
        Assert.Equal(2, Directory.GetFiles(data.Path).Length);
    }

    private static void AssertSize(string path, int width, int height)
    {
        var info = Image.Identify(path);
        Assert.True((info.Width, info.Height) == (width, height), $"{Path.GetFileName(path)} is {info.Width}x{info.Height}, expected {width}x{height}");
    }
}
