using System.Security.Cryptography;
using GpuVae.App.Runs;
using GpuVae.Kernels.Host;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Model.Training;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App;

/// <summary>
/// A checkpoint holding a NaN: every command that loads weights refuses it in one line naming
/// the file, the tensor and the element, exits 1 as for any bad file, and writes nothing.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public sealed class NonFiniteCheckpointTests
{
    private const string PoisonedTensor = "decoder.output.bias";
    private const int PoisonedElement = 5;

    [Theory]
    [InlineData("eval")]
    [InlineData("train")]
    [InlineData("plot")]
    public void ACommandLoadingANaNWeightRefusesItNamingFileTensorAndElement(string command)
    {
        var data = RealMnist.Load();
        using var folder = new TempFolder();
        using var backend = new HostBackend();
        var settings = new RunSettings(
            new VaeConfig(3, Hidden: 16), new TrainingOptions { Epochs = 1, BatchSize = 32 }, RepositoryPaths.MnistCache, folder.Path, "host", 0, Resume: false, TrainLimit: 256);
        DimensionRun.Train(settings, backend, data, TextWriter.Null, interactive: false, CancellationToken.None);
        string model = Path.Combine(settings.RunDirectory, Checkpoint.ModelFileName);
        PoisonOneBias(settings.RunDirectory);
        var before = Snapshot(folder.Path);

        string[] common = ["--accelerator", "host", "--data", RepositoryPaths.MnistCache];
        string[] arguments = command switch
        {
            "eval" => ["eval", "--checkpoint", settings.RunDirectory, "--samples", "0", .. common],
            "train" => ["train", "--resume", "--dim", "3", "--hidden", "16", "--epochs", "2", "--batch-size", "32", "--train-limit", "256", "--out", folder.Path, .. common],
            _ => ["plot", "--out", folder.Path, .. common],
        };
        var (code, error) = InProcessCli.Run(arguments);

        Assert.Equal(1, code);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(model, error, StringComparison.Ordinal);
        Assert.Contains($"tensor {PoisonedTensor} holds NaN at element {PoisonedElement}", error, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(folder.Path));
    }

    /// <summary>One NaN in a bias, with the optimizer file naming the new weights, so only the value is wrong.</summary>
    private static void PoisonOneBias(string runDirectory)
    {
        string model = Path.Combine(runDirectory, Checkpoint.ModelFileName);
        string optimizer = Path.Combine(runDirectory, Checkpoint.OptimizerFileName);
        var (weights, modelMetadata) = SafeTensorsFile.Read(model);
        weights[PoisonedTensor].Data[PoisonedElement] = float.NaN;
        SafeTensorsFile.Write(model, [.. weights.Values], modelMetadata);
        var (moments, optimizerMetadata) = SafeTensorsFile.Read(optimizer);
        optimizerMetadata["model_sha256"] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(model)));
        SafeTensorsFile.Write(optimizer, [.. moments.Values], optimizerMetadata);
    }

    private static Dictionary<string, string> Snapshot(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(path => path, path => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))));
}
