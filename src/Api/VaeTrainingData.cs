namespace GpuVae;

/// <summary>
/// The images a model trains on and is tested on each epoch, with their class labels when a
/// conditional model is to train: from arrays in memory or from a folder of IDX files. Pixels
/// are in [0, 1], images (N, D) row-major with D = Rows x Cols.
/// </summary>
public sealed class VaeTrainingData
{
    private VaeTrainingData(float[] train, byte[]? trainLabels, float[] test, byte[]? testLabels, int rows, int cols)
    {
        Train = train;
        TrainClasses = trainLabels;
        Test = test;
        TestClasses = testLabels;
        TestLabels = testLabels is null ? ReadOnlyMemory<int>.Empty : Array.ConvertAll(testLabels, label => (int)label);
        Rows = rows;
        Cols = cols;
    }

    /// <summary>Rows of one image.</summary>
    public int Rows { get; }

    /// <summary>Columns of one image.</summary>
    public int Cols { get; }

    /// <summary>D, the pixels of one image.</summary>
    public int Pixels => Rows * Cols;

    /// <summary>N, the training images.</summary>
    public int TrainCount => Train.Length / Pixels;

    /// <summary>M, the test images.</summary>
    public int TestCount => Test.Length / Pixels;

    /// <summary>Whether both sets have class labels, as a conditional model needs.</summary>
    public bool HasLabels => TrainClasses is not null && TestClasses is not null;

    /// <summary>The test images, (M, D) pixels in [0, 1]: for encoding or bounding after training.</summary>
    public ReadOnlyMemory<float> TestImages => Test;

    /// <summary>The test images' class labels, (M); empty when the test set has none.</summary>
    public ReadOnlyMemory<int> TestLabels { get; }

    internal float[] Train { get; }

    internal byte[]? TrainClasses { get; }

    internal float[] Test { get; }

    internal byte[]? TestClasses { get; }

    /// <summary>Data from arrays, copied (later changes to the arrays do not reach it).</summary>
    /// <param name="trainImages">(N, D) training pixels in [0, 1], N at least 1.</param>
    /// <param name="testImages">(M, D) test pixels in [0, 1], M at least 1.</param>
    /// <param name="rows">Rows of one image.</param>
    /// <param name="cols">Columns of one image.</param>
    /// <param name="trainLabels">The training images' classes, 0 to 255, one per image; null for none.</param>
    /// <param name="testLabels">The test images' classes, one per image; null for none.</param>
    /// <exception cref="ArgumentException">A size, pixel or label is wrong; the message names the argument and the element.</exception>
    public static VaeTrainingData FromArrays(float[] trainImages, float[] testImages, int rows, int cols, int[]? trainLabels = null, int[]? testLabels = null)
    {
        ArgumentNullException.ThrowIfNull(trainImages);
        ArgumentNullException.ThrowIfNull(testImages);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        if ((long)rows * cols > IdxReader.MaximumPixels)
        {
            throw new ArgumentOutOfRangeException(nameof(cols), $"{rows}x{cols} images are more than {IdxReader.MaximumPixels} pixels");
        }

        int train = Inputs.Images(trainImages, rows * cols, nameof(trainImages));
        int test = Inputs.Images(testImages, rows * cols, nameof(testImages));
        return new VaeTrainingData(
            (float[])trainImages.Clone(),
            trainLabels is null ? null : Inputs.ClassBytes(trainLabels, train, nameof(trainLabels)),
            (float[])testImages.Clone(),
            testLabels is null ? null : Inputs.ClassBytes(testLabels, test, nameof(testLabels)),
            rows,
            cols);
    }

    /// <summary>
    /// Data from a folder of IDX files under MNIST's names, each raw or gzipped: the images
    /// train-images-idx3-ubyte and t10k-images-idx3-ubyte (8-bit grayscale, any one size), and
    /// optionally the labels train-labels-idx1-ubyte and t10k-labels-idx1-ubyte. Nothing is
    /// downloaded: the command line fetches MNIST into data/mnist.
    /// </summary>
    /// <param name="folder">The folder, e.g. data/mnist.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is missing, malformed, or disagrees with another; the message names it and says what is wrong.</exception>
    public static VaeTrainingData FromIdxFolder(string folder)
    {
        ModelFolder.Existing(folder, nameof(folder));
        try
        {
            var (train, trainLabels, rows, cols) = ReadSet(folder, IdxFolder.TrainImages, IdxFolder.TrainLabels);
            var (test, testLabels, testRows, testCols) = ReadSet(folder, IdxFolder.TestImages, IdxFolder.TestLabels);
            if (rows != testRows || cols != testCols)
            {
                throw new InvalidDataException(
                    $"{folder}: the test images are {testRows}x{testCols} but the training images are {rows}x{cols}");
            }

            return new VaeTrainingData(train, trainLabels, test, testLabels, rows, cols);
        }
        catch (MnistDataException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }

    private static (float[] Images, byte[]? Labels, int Rows, int Cols) ReadSet(string folder, string images, string labels) =>
        IdxFolder.ReadSet(
            IdxFolder.Find(folder, images) ?? throw new InvalidDataException($"{Path.Combine(folder, images)}: file not found (nor {images}.gz)"),
            IdxFolder.Find(folder, labels));
}
