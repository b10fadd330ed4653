namespace GpuVae.App.Data;

/// <summary>
/// N MNIST images with their labels. Pixels are scaled to [0, 1] as pixel / 255 and kept
/// grey, not binarized, as the TensorFlow original does.
/// </summary>
public sealed class MnistSet
{
    /// <param name="images">(N, D) row-major, D = <see cref="IdxReader.Pixels"/>.</param>
    /// <param name="labels">(N), each 0..9.</param>
    public MnistSet(float[] images, byte[] labels)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.Length != labels.Length * (long)IdxReader.Pixels)
        {
            throw new ArgumentException(
                $"images hold {images.Length} floats, expected {labels.Length} labels x {IdxReader.Pixels} pixels",
                nameof(images));
        }

        Images = images;
        Labels = labels;
    }

    /// <summary>(N, D) row-major, each in [0, 1].</summary>
    public float[] Images { get; }

    /// <summary>(N), each 0..9.</summary>
    public byte[] Labels { get; }

    /// <summary>N.</summary>
    public int Count => Labels.Length;

    /// <summary>
    /// Reads an IDX image file and its IDX label file (each raw or gzipped) and checks that
    /// they hold the same number of items. Throws <see cref="MnistDataException"/> on any problem.
    /// </summary>
    public static MnistSet FromFiles(string imagesPath, string labelsPath)
    {
        byte[] pixels = IdxReader.ReadImages(imagesPath);
        byte[] labels = IdxReader.ReadLabels(labelsPath);
        int count = pixels.Length / IdxReader.Pixels;
        if (labels.Length != count)
        {
            throw new MnistDataException(
                $"{imagesPath}: count mismatch: {count} images but {labelsPath} has {labels.Length} labels");
        }

        var images = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++)
        {
            images[i] = pixels[i] / 255f;
        }

        return new MnistSet(images, labels);
    }
}
