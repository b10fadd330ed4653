using GpuVae.App.Data;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App.Data;

public sealed class IdxReaderTests : IDisposable
{
    private static readonly byte[] ThreeLabels = [3, 0, 9];

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void ReadsRawImagesAndLabelsScaledToUnitRange()
    {
        var set = MnistSet.FromFiles(_folder.Write("images", Idx.Images(3)), _folder.Write("labels", Idx.Labels(ThreeLabels)));

        Assert.Equal(3, set.Count);
        Assert.Equal(ThreeLabels, set.Labels);
        AssertPixels(Idx.Images(3), set.Images);
    }

    [Fact]
    public void ReadsGzipByMagicWhateverTheName()
    {
        // gzip content under a plain name, and raw content under a .gz name: both are read by their bytes.
        var gzipped = MnistSet.FromFiles(_folder.Write("images", Idx.Gzip(Idx.Images(3))), _folder.Write("labels", Idx.Gzip(Idx.Labels(ThreeLabels))));
        var raw = MnistSet.FromFiles(_folder.Write("images.gz", Idx.Images(3)), _folder.Write("labels.gz", Idx.Labels(ThreeLabels)));

        foreach (var set in new[] { gzipped, raw })
        {
            Assert.Equal(ThreeLabels, set.Labels);
            AssertPixels(Idx.Images(3), set.Images);
        }
    }

    [Fact]
    public void LoadFindsTheFourFilesRawOrGzipped()
    {
        _folder.Write(Mnist.TrainImages + ".gz", Idx.Gzip(Idx.Images(3)));
        _folder.Write(Mnist.TrainLabels, Idx.Labels(ThreeLabels));
        _folder.Write(Mnist.TestImages, Idx.Images(1));
        _folder.Write(Mnist.TestLabels + ".gz", Idx.Gzip(Idx.Labels([7])));

        var (train, test) = Mnist.Load(_folder.Path);

        Assert.Equal(3, train.Count);
        Assert.Equal([(byte)7], test.Labels!);
    }

    [Fact]
    public void LoadNamesAMissingFileAndSaysHowToPlaceIt()
    {
        string missing = Path.Combine(_folder.Path, Mnist.TrainImages);
        var e = Assert.Throws<MnistDataException>(() => Mnist.Load(_folder.Path));
        AssertMessage(e, missing, "file not found", "by hand", Mnist.TestLabels);
    }

    [Fact]
    public void TruncatedRawFile()
    {
        string path = _folder.Write("images", Idx.Images(3)[..1000]);
        AssertImagesFail(path, "truncated: header says 3 images of 28x28 (2368 bytes) but the file has 1000 bytes");
    }

    [Fact]
    public void TruncatedGzipFile()
    {
        string path = _folder.Write("labels", Idx.Gzip(Idx.Labels(ThreeLabels)[..9]));
        AssertLabelsFail(path, "truncated: header says 3 labels (11 bytes) but the decompressed data has 9 bytes");
    }

    [Fact]
    public void FileLongerThanItsHeaderSays()
    {
        string path = _folder.Write("labels", [.. Idx.Labels(ThreeLabels), 0]);
        AssertLabelsFail(path, "too long: header says 3 labels (11 bytes) but the file has 12 bytes");
    }

    [Fact]
    public void HeaderTooShort()
    {
        string path = _folder.Write("images", Idx.Images(1)[..10]);
        AssertImagesFail(path, "truncated: an IDX image header needs 16 bytes but the file has 10");
    }

    [Fact]
    public void WrongMagic()
    {
        string labelsAsImages = _folder.Write("images", Idx.Labels(ThreeLabels));
        AssertImagesFail(labelsAsImages, "wrong magic number 0x00000801 (an IDX label file), expected 0x00000803");

        string junk = _folder.Write("labels", Idx.Labels(ThreeLabels, magic: 0x12345678));
        AssertLabelsFail(junk, "wrong magic number 0x12345678, expected 0x00000801");
    }

    [Fact]
    public void AnyImageSizeIsReadFromTheHeader()
    {
        byte[] idx = Idx.Images(3, rows: 16, cols: 12);
        var (pixels, rows, cols) = IdxReader.ReadImageFile(_folder.Write("images", idx));
        Assert.Equal((16, 12), (rows, cols));
        Assert.Equal(idx[16..], pixels);
        var set = MnistSet.FromFiles(_folder.Write("images.gz", Idx.Gzip(idx)), labelsPath: null);
        Assert.Equal((3, 192, 16, 12), (set.Count, set.Pixels, set.Rows, set.Cols));
        Assert.Null(set.Labels);
        AssertImagesFail(_folder.Write("zero", Idx.Images(1, rows: 0, cols: 28)), "images are 0x28");
    }

    [Theory]
    [InlineData(0x00000D03u, "IDX elements are 32-bit floats (type byte 0x0D); images must be 8-bit grayscale, type 0x08")]
    [InlineData(0x00000903u, "IDX elements are signed bytes (type byte 0x09)")]
    [InlineData(0x00000804u, "IDX data has 4 dimensions; 8-bit grayscale images need 3 (count x rows x cols), a fourth is colour channels")]
    [InlineData(0x00000802u, "IDX data has 2 dimensions; 8-bit grayscale images need 3")]
    public void IdxFilesOfOtherKindsSayWhatIsWrong(uint magic, string problem)
    {
        string path = _folder.Write("images", Idx.Images(2, magic: magic));
        var e = Assert.Throws<MnistDataException>(() => IdxReader.ReadImages(path));
        AssertMessage(e, path, problem);
        Assert.True(e.WrongKind);
    }

    [Fact]
    public void ZeroCount()
    {
        string path = _folder.Write("labels", Idx.Labels([]));
        AssertLabelsFail(path, "header says 0 labels");
    }

    [Fact]
    public void ImageAndLabelCountsDiffer()
    {
        string images = _folder.Write("images", Idx.Images(3));
        string labels = _folder.Write("labels", Idx.Labels([1, 2]));
        var e = Assert.Throws<MnistDataException>(() => MnistSet.FromFiles(images, labels));
        AssertMessage(e, images, "count mismatch: 3 images but", labels, "has 2 labels");
    }

    [Fact]
    public void LabelOutsideZeroToNine()
    {
        string path = _folder.Write("labels", Idx.Labels([1, 10, 2]));
        AssertLabelsFail(path, "label 10 at index 1 is outside 0..9");
    }

    [Fact]
    public void GzNameThatIsNotGzip()
    {
        string path = _folder.Write("images.gz", "this is not gzip at all"u8.ToArray());
        AssertImagesFail(path, "wrong magic number", "the name ends in .gz but the file does not start with the gzip magic 1f 8b");
    }

    [Fact]
    public void GzipMagicWithDamagedStream()
    {
        byte[] gzip = Idx.Gzip(Idx.Images(3));
        for (int i = 10; i < 20; i++)
        {
            gzip[i] ^= 0xff;
        }

        string path = _folder.Write("images.gz", gzip);
        AssertImagesFail(path, "starts with the gzip magic 1f 8b but is not valid gzip");
    }

    [Fact]
    public void EmptyFile()
    {
        string path = _folder.Write("images", []);
        AssertImagesFail(path, "empty file");
    }

    [Fact]
    public void MissingFile()
    {
        string path = Path.Combine(_folder.Path, "nothing-here");
        AssertImagesFail(path, "file not found");
    }

    [Fact]
    public void HugeHeaderCountsFailWithoutAllocatingForThem()
    {
        // 0xFFFFFFFF images would need 3.4 TB; 2,000,000 images 1.6 GB: both must fail on the
        // bytes actually present, not on an allocation the header asked for.
        const long AllocationBudget = 64L << 20;
        string rawHuge = _folder.Write("raw", Idx.Images(1, count: uint.MaxValue));
        string gzipHuge = _folder.Write("gzip-huge", Idx.Gzip(Idx.Images(1, count: uint.MaxValue)));
        string gzipLarge = _folder.Write("gzip-large", Idx.Gzip(Idx.Images(1, count: 2_000_000)));

        long before = GC.GetAllocatedBytesForCurrentThread();
        AssertImagesFail(rawHuge, "truncated: header says 4294967295 images");
        AssertImagesFail(gzipHuge, "header says 4294967295 images", "more than this reader can hold");
        AssertImagesFail(gzipLarge, "truncated: header says 2000000 images of 28x28 (1568000016 bytes) but the decompressed data has 800 bytes");
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, AllocationBudget);
    }

    private static void AssertImagesFail(string path, params string[] fragments) =>
        AssertMessage(Assert.Throws<MnistDataException>(() => IdxReader.ReadImages(path)), path, fragments);

    private static void AssertLabelsFail(string path, params string[] fragments) =>
        AssertMessage(Assert.Throws<MnistDataException>(() => IdxReader.ReadLabels(path)), path, fragments);

    private static void AssertMessage(MnistDataException e, string path, params string[] fragments)
    {
        Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        }
    }

    private static void AssertPixels(byte[] idx, float[] images)
    {
        Assert.Equal(idx.Length - 16, images.Length);
        for (int i = 0; i < images.Length; i++)
        {
            Assert.Equal(idx[16 + i] / 255f, images[i]);
        }
    }
}
