
namespace GpuVae.App.Data;

/// <summary>
/// N grayscale images of rows x cols pixels (MNIST's 28x28 or any other), with their labels when
/// a label file is present. Pixels are scaled to [0, 1] as pixel / 255 and kept grey, not
/// binarized, as the TensorFlow original does.
/// </summary>
public sealed class MnistSet
{
    /// <param name="images">(N, D) row-major, D = rows x cols.</param>
    /// <param name="labels">(N), each 0..9; null when the set has no label file.</param>
    public MnistSet(float[] images, byte[]? labels, int rows = IdxReader.Rows, int cols = IdxReader.Cols)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        int pixels = rows * cols;
        if (images.Length == 0 || images.Length % pixels != 0 || (labels is not null && images.Length != labels.Length * (long)pixels))
        {
            throw new ArgumentException(
                $"images hold {images.Length} floats, expected {(labels is null ? "N" : labels.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))} images x {pixels} pixels",
                nameof(images));
        }

        Images = images;
        Labels = labels;
        Rows = rows;
        Cols = cols;
    }

    /// <summary>(N, D) row-major, each in [0, 1].</summary>
    public float[] Images { get; }

    /// <summary>(N), each 0..9; null when the set came without labels.</summary>
    public byte[]? Labels { get; }

    public int Rows { get; }

    public int Cols { get; }

    /// <summary>D = rows x cols.</summary>
    public int Pixels => Rows * Cols;

    /// <summary>N.</summary>
    public int Count => Images.Length / Pixels;

    /// <summary>
    /// Reads an IDX image file and, when labelsPath is not null, its IDX label file (each raw or
    /// gzipped), and checks that they hold the same number of items. Throws
    /// <see cref="MnistDataException"/> on any problem.
    /// </summary>
    public static MnistSet FromFiles(string imagesPath, string? labelsPath)
    {
        var (images, labels, rows, cols) = IdxFolder.ReadSet(imagesPath, labelsPath);
        return new MnistSet(images, labels, rows, cols);
    }
}
