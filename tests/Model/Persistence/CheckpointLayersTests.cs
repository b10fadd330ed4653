using GpuVae.Kernels;
using GpuVae.Kernels.Host;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Model.Training;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Model.Persistence;

/// <summary>
/// The layer list in the checkpoint: a version-2 file records every hidden layer's width and
/// activation and reads back to the same network; a list that disagrees with the file's
/// tensors, or names an activation this version lacks, is a CheckpointException naming the file and the key.
/// </summary>
public sealed class CheckpointLayersTests
{
    private static readonly VaeConfig Layered = new(Latent: 2, Hidden: 5, Pixels: 6)
    {
        Encoder = [new(7, Activation.Tanh), new(3, Activation.Elu), new(5, Activation.Tanh)],
        Decoder = [new(9, Activation.Elu)],
    };

    [Fact]
    public void ALayerListIsRecordedAndReadBack()
    {
        using var folder = new TempFolder();
        Save(folder.Path);
        var (_, metadata) = SafeTensorsFile.Read(Path.Combine(folder.Path, Checkpoint.ModelFileName));
        Assert.Equal(CheckpointMetadata.Format, metadata[CheckpointMetadata.FormatKey]);
        Assert.Equal(("7:tanh,3:elu,5:tanh", "9:elu"), (metadata[CheckpointMetadata.EncoderKey], metadata[CheckpointMetadata.DecoderKey]));
        Assert.False(metadata.ContainsKey(CheckpointMetadata.HiddenKey));
        Assert.Equal(Layered, Checkpoint.ReadConfig(folder.Path));
    }

    [Theory]
    [InlineData(CheckpointMetadata.EncoderKey, "7:tanh,4:elu,5:tanh", "metadata encoder is '7:tanh,4:elu,5:tanh', which makes tensor encoder.hidden1.weight (7, 4), but the file's is (7, 3)")]
    [InlineData(CheckpointMetadata.DecoderKey, "9:elu,9:elu", "metadata decoder is '9:elu,9:elu', but tensor decoder.hidden1.weight of its layer is missing")]
    [InlineData(CheckpointMetadata.EncoderKey, "7:tanh,3:elu", "metadata encoder is '7:tanh,3:elu', which makes tensor encoder.output.weight")]
    [InlineData(CheckpointMetadata.EncoderKey, "7:tanh,3:relu6,5:tanh", "metadata encoder is '7:tanh,3:relu6,5:tanh': '3:relu6' has activation 'relu6'")]
    [InlineData(CheckpointMetadata.DecoderKey, "", "metadata decoder is '': '' is not W:activation")]
    public void ALayerListThatDisagreesWithTheTensorsIsRefusedNamingTheKey(string key, string value, string message)
    {
        using var folder = new TempFolder();
        Save(folder.Path);
        string path = Path.Combine(folder.Path, Checkpoint.ModelFileName);
        var (tensors, metadata) = SafeTensorsFile.Read(path);
        metadata[key] = value;
        SafeTensorsFile.Write(path, [.. tensors.Values], metadata);
        File.Delete(Path.Combine(folder.Path, Checkpoint.OptimizerFileName));
        var error = Assert.Throws<CheckpointException>(() => Checkpoint.ReadConfig(folder.Path));
        Assert.Contains($"{path}: {message}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATensorOfNoRecordedLayerIsRefused()
    {
        using var folder = new TempFolder();
        Save(folder.Path);
        string path = Path.Combine(folder.Path, Checkpoint.ModelFileName);
        var (tensors, metadata) = SafeTensorsFile.Read(path);
        SafeTensorsFile.Write(path, [.. tensors.Values, new SafeTensorsFile.Entry("decoder.hidden1.weight", [9, 9], new float[81])], metadata);
        File.Delete(Path.Combine(folder.Path, Checkpoint.OptimizerFileName));
        var error = Assert.Throws<CheckpointException>(() => Checkpoint.ReadConfig(folder.Path));
        Assert.Contains($"{path}: tensor decoder.hidden1.weight belongs to no layer of metadata encoder '7:tanh,3:elu,5:tanh' and decoder '9:elu'", error.Message, StringComparison.Ordinal);
    }

    private static void Save(string folder)
    {
        using var backend = new HostBackend();
        using var model = new Vae(backend, Layered);
        model.Initialize(3);
        Checkpoint.Save(folder, model, new TrainingState(1, 4, 3, 16));
    }
}
