using GpuVae.Kernels.Host;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Model.Training;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App;

/// <summary>
/// `GpuVae export`: a checkpoint becomes both ONNX files; a missing or unreadable checkpoint and
/// an --out that cannot hold the files are one line naming the path, exit code 2, and nothing written.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public sealed class ExportCommandTests
{
    [Fact]
    public void ACheckpointBecomesBothFiles()
    {
        using var folder = new TempFolder();
        string checkpoint = SavedModel(folder);
        string output = Path.Combine(folder.Path, "exported", "dim2");
        var (code, stdout, error) = InProcessCli.RunCapturing(["export", "--checkpoint", checkpoint, "--out", output]);
        Assert.True(code == 0, error);
        Assert.Contains(OnnxExport.EncoderFileName, stdout, StringComparison.Ordinal);
        Assert.Equal(
            [Path.Combine(output, OnnxExport.DecoderFileName), Path.Combine(output, OnnxExport.EncoderFileName)],
            Directory.GetFiles(output).Order(StringComparer.Ordinal));
        Assert.Empty(folder.TempFiles());
        // No temporary folder left beside it.
        Assert.Equal([output], Directory.GetFileSystemEntries(Path.Combine(folder.Path, "exported")));
    }

    [Theory]
    [InlineData("missing", "no such folder")]
    [InlineData("empty", "no such checkpoint file")]
    [InlineData("garbage", "truncated")]
    public void ABadCheckpointIsAUsageErrorNamingIt(string kind, string problem)
    {
        using var folder = new TempFolder();
        string checkpoint = Path.Combine(folder.Path, "run");
        if (kind != "missing")
        {
            Directory.CreateDirectory(checkpoint);
        }

        if (kind == "garbage")
        {
            File.WriteAllBytes(Path.Combine(checkpoint, Checkpoint.ModelFileName), [1, 2, 3]);
        }

        string output = Path.Combine(folder.Path, "onnx");
        var (code, error) = InProcessCli.Run(["export", "--checkpoint", checkpoint, "--out", output]);
        AssertUsageError(code, error, checkpoint, problem);
        Assert.False(Directory.Exists(output));
        Assert.Empty(folder.TempFiles());
    }

    [Theory]
    [InlineData(false, "is a file")]
    [InlineData(true, "cannot write there")]
    public void AnOutputThatCannotHoldTheFilesIsAUsageErrorNamingIt(bool below, string problem)
    {
        using var folder = new TempFolder();
        string checkpoint = SavedModel(folder);
        string file = folder.Write("not-a-folder", [1]);
        string output = below ? Path.Combine(file, "onnx") : file;
        string[] before = Directory.GetFileSystemEntries(folder.Path, "*", SearchOption.AllDirectories);
        var (code, error) = InProcessCli.Run(["export", "--checkpoint", checkpoint, "--out", output]);
        AssertUsageError(code, error, output, problem);
        Assert.Equal(before, Directory.GetFileSystemEntries(folder.Path, "*", SearchOption.AllDirectories));
        Assert.Equal([1], File.ReadAllBytes(file));
    }

    [Fact]
    public void WithoutACheckpointItIsAUsageError()
    {
        using var folder = new TempFolder();
        var (code, error) = InProcessCli.Run(["export", "--out", folder.Path]);
        Assert.Equal(2, code);
        Assert.Contains("--checkpoint", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    private static void AssertUsageError(int code, string error, string path, string problem)
    {
        Assert.Equal(2, code);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains(path, error, StringComparison.Ordinal);
        Assert.Contains(problem, error, StringComparison.Ordinal);
    }

    /// <summary>A small freshly initialised model saved as a run folder: the command reads only its weights.</summary>
    private static string SavedModel(TempFolder folder)
    {
        string checkpoint = Path.Combine(folder.Path, "run");
        using var backend = new HostBackend();
        using var model = new Vae(backend, new VaeConfig(Latent: 2, Hidden: 7));
        model.Initialize(seed: 3);
        Checkpoint.Save(checkpoint, model, new TrainingState(0, 0, Seed: 3, BatchSize: 128));
        return checkpoint;
    }
}
