using GpuVae.Model;

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
        return new MnistData(train, test);
    }

    /// <summary>Rows of one image, the same in both sets.</summary>
    public int Rows => Train.Rows;

    /// <summary>Columns of one image.</summary>
    public int Cols => Train.Cols;

    /// <summary>D = rows x cols.</summary>
    public int Pixels => Train.Pixels;

    /// <summary>The network on this data: its D and image shape.</summary>
    public VaeConfig Shape(VaeConfig network) => network with { Pixels = Pixels, ImageRows = Rows, ImageCols = Cols };

    /// <summary>Null when a checkpoint's network fits these images, else the one line that says why not.</summary>
    public string? Mismatch(VaeConfig network, string checkpoint) =>
        network.Pixels == Pixels && network.ImageRows == Rows && network.ImageCols == Cols
            ? null
            : $"{checkpoint} was trained on {network.ImageRows}x{network.ImageCols} images but the data has {Rows}x{Cols}";
}
