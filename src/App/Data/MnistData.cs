using GpuVae.Model.Network;
using GpuVae.Model.Persistence;

namespace GpuVae.App.Data;

/// <summary>The training and test sets, fetched into the data folder on first use.</summary>
public sealed record MnistData(MnistSet Train, MnistSet Test)
{
    public static MnistData Load(string directory, Action<string> log)
    {
        Mnist.EnsureDownloaded(directory, log);
        var (train, test) = Mnist.Load(directory);
        string[] unlabelled = [.. new[] { ("training", train), ("test", test) }.Where(set => set.Item2.Labels is null).Select(set => set.Item1)];
        log($"MNIST: {train.Count} training and {test.Count} test images of {train.Rows}x{train.Cols} from {directory}"
            + (unlabelled.Length == 0 ? string.Empty : $"; no {string.Join(" or ", unlabelled)} labels"));
        return new MnistData(train, test) { Directory = directory };
    }

    /// <summary>The folder the sets were read from, for messages that name a file in it.</summary>
    public string Directory { get; init; } = ".";

    /// <summary>Rows of one image, the same in both sets.</summary>
    public int Rows => Train.Rows;

    /// <summary>Columns of one image.</summary>
    public int Cols => Train.Cols;

    /// <summary>D = rows x cols.</summary>
    public int Pixels => Train.Pixels;

    /// <summary>
    /// The network on this data: its D and image shape, and for a kind whose layers read the label its C, one
    /// more than the largest label of either set (10 for MNIST). A conditional VAE on data
    /// without both label files is a usage error naming the missing file.
    /// </summary>
    public VaeConfig Shape(VaeConfig network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var shaped = network with { Pixels = Pixels, ImageRows = Rows, ImageCols = Cols };
        // Asked of the kind, not of the layers: they read the label only once C is known.
        return ModelKinds.FirstLayersReadLabel(network.Kind)
            ? shaped with { Classes = Math.Max(LabelsFor(network, Train).Max(), LabelsFor(network, Test).Max()) + 1 }
            : shaped;
    }

    /// <summary>A set's labels, which the conditional VAE needs: a usage error naming the missing label file when the set has none.</summary>
    public byte[] LabelsFor(VaeConfig network, MnistSet set)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(set);
        return set.Labels ?? throw new UsageException(
            $"--model {ModelKinds.Name(network.Kind)} conditions on the labels, but {Path.Combine(Directory, set == Train ? Mnist.TrainLabels : Mnist.TestLabels)} (or .gz) is missing");
    }

    /// <summary>The test set's one-hot labels (N, C) for the conditional VAE, its first N images; empty for the plain VAE.</summary>
    public float[] TestOneHots(VaeConfig network, int count) =>
        network.ReadsLabels ? LabelOneHots.Of(LabelsFor(network, Test).AsSpan(0, count), network.Classes) : [];

    /// <summary>Null when a checkpoint's network fits these images, else the one line that says why not.</summary>
    public string? Mismatch(VaeConfig network, string checkpoint) =>
        network.Pixels == Pixels && network.ImageRows == Rows && network.ImageCols == Cols
            ? null
            : $"{checkpoint} was trained on {network.ImageRows}x{network.ImageCols} images but the data has {Rows}x{Cols}";
}
