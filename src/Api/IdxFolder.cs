using System.Globalization;

namespace GpuVae;

/// <summary>
/// A folder of IDX files under MNIST's four names, each raw or gzipped: the images of both sets
/// (needed) and their labels (optional). The command line's MNIST loader and
/// <see cref="VaeTrainingData.FromIdxFolder"/> both read them; the names are stated here once.
/// </summary>
internal static class IdxFolder
{
    public const string TrainImages = "train-images-idx3-ubyte";
    public const string TrainLabels = "train-labels-idx1-ubyte";
    public const string TestImages = "t10k-images-idx3-ubyte";
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>The path of name in folder, raw preferred over .gz; null if neither exists.</summary>
    public static string? Find(string folder, string name)
    {
        string raw = Path.Combine(folder, name);
        if (File.Exists(raw))
        {
            return raw;
        }

        string gz = raw + ".gz";
        return File.Exists(gz) ? gz : null;
    }

    /// <summary>
    /// One set: an IDX image file and, when labelsPath is not null, its IDX label file (each raw
    /// or gzipped), checked to hold the same number of items. Pixels are scaled to [0, 1] as
    /// pixel / 255, (N, rows x cols), kept grey as the TensorFlow original does. Throws
    /// <see cref="MnistDataException"/> naming the file and the fault.
    /// </summary>
    public static (float[] Images, byte[]? Labels, int Rows, int Cols) ReadSet(string imagesPath, string? labelsPath)
    {
        var (pixels, rows, cols) = IdxReader.ReadImageFile(imagesPath);
        byte[]? labels = labelsPath is null ? null : IdxReader.ReadLabels(labelsPath);
        int count = pixels.Length / (rows * cols);
        if (labels is not null && labels.Length != count)
        {
            throw new MnistDataException(
                $"{imagesPath}: count mismatch: {count.ToString(CultureInfo.InvariantCulture)} images but {labelsPath} has {labels.Length.ToString(CultureInfo.InvariantCulture)} labels");
        }

        var scaled = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++)
        {
            scaled[i] = pixels[i] / 255f;
        }

        return (scaled, labels, rows, cols);
    }
}
