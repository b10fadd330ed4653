using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App;

/// <summary>
/// Bad input on the command line: one line on stderr naming the option or file and what is
/// wrong, exit code 2 for usage errors and 1 for bad files, and nothing trained or written.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("--dim 0", "--dim")]
    [InlineData("--dim 5000", "--dim")]
    [InlineData("--dim abc", "abc")]
    [InlineData("--epochs 0", "--epochs")]
    [InlineData("--batch-size -5", "--batch-size")]
    [InlineData("--hidden 0", "--hidden")]
    [InlineData("--lr NaN", "--lr")]
    [InlineData("--lr 5", "--lr")]
    [InlineData("--keep-prob 0", "--keep-prob")]
    [InlineData("--keep-prob 1.5", "--keep-prob")]
    [InlineData("--noise-fraction 2", "--noise-fraction")]
    [InlineData("--accelerator tpu", "--accelerator")]
    [InlineData("--device -1", "--device")]
    [InlineData("--train-limit 0", "--train-limit")]
    [InlineData("--train-limit 100", "--batch-size 128 is larger than --train-limit 100")]
    [InlineData("--beta -1", "--beta")]
    [InlineData("--beta NaN", "--beta")]
    [InlineData("--beta Infinity", "--beta")]
    [InlineData("--beta inf", "inf")]
    [InlineData("--validation -1", "--validation")]
    [InlineData("--validation 60000", "--validation 60000")]
    [InlineData("--validation 59900", "fewer than one batch of 128")]
    [InlineData("--objective x", "--objective")]
    [InlineData("--objective iwae --k 0", "--k")]
    [InlineData("--objective iwae --k -3", "--k")]
    [InlineData("--objective iwae --beta 2", "--beta")]
    [InlineData("--bogus", "--bogus")]
    [InlineData("sweep --dims 2,x", "--dims")]
    [InlineData("eval", "--checkpoint")]
    [InlineData("bench --repeats 0", "--repeats")]
    [InlineData("plot --manifold-size 1", "--manifold-size")]
    public void BadOptionsAreUsageErrorsNamingTheOption(string arguments, string culprit)
    {
        using var folder = new TempFolder();
        string[] words = arguments.Split(' ');
        // eval and bench write no results, so they take no --out.
        string[] output = words[0] is "eval" or "bench" ? [] : ["--out", folder.Path];
        var (code, error) = InProcessCli.Run([.. words, .. output]);
        Assert.Equal(2, code);
        Assert.Contains(culprit, error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void AnOutputFolderThatCannotBeWrittenIsRefusedBeforeAnyWork()
    {
        using var folder = new TempFolder();
        string file = folder.Write("not-a-folder", [1]);
        var (code, error) = InProcessCli.Run(["--out", Path.Combine(file, "save"), "--accelerator", "host"]);
        Assert.Equal(2, code);
        Assert.Contains("--out", error, StringComparison.Ordinal);
        Assert.Contains("not-a-folder", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ADeviceIndexOutOfRangeIsAUsageErrorNamingTheDevice()
    {
        using var folder = new TempFolder();
        var (code, error) = InProcessCli.Run(["--accelerator", "cpu", "--device", "7", "--out", folder.Path]);
        Assert.Equal(2, code);
        Assert.Contains("7", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingCheckpointNamesItsPath()
    {
        using var folder = new TempFolder();
        string missing = Path.Combine(folder.Path, "dim20");
        var (code, error) = InProcessCli.Run(["eval", "--checkpoint", missing, "--accelerator", "host"]);
        Assert.Equal(1, code);
        Assert.Contains(missing, error, StringComparison.Ordinal);
    }

    [Fact]
    public void ATruncatedDataFileNamesTheFileAndTrainsNothing()
    {
        RealMnist.Load();
        using var data = new TempFolder();
        using var output = new TempFolder();
        foreach (string name in new[] { "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
        {
            File.Copy(Path.Combine(RepositoryPaths.MnistCache, name), data.File(name));
        }

        string truncated = data.Write("train-images-idx3-ubyte", File.ReadAllBytes(Path.Combine(RepositoryPaths.MnistCache, "train-images-idx3-ubyte"))[..1000]);
        var (code, error) = InProcessCli.Run(["--data", data.Path, "--out", output.Path, "--accelerator", "host", "--epochs", "1"]);
        Assert.Equal(1, code);
        Assert.Contains(truncated, error, StringComparison.Ordinal);
        Assert.Contains("truncated", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(output.Path, "dim20", "model.safetensors")));
    }
}
