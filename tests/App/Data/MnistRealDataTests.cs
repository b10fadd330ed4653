using System.IO.Compression;
using System.Security.Cryptography;
using GpuVae.App.Data;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App.Data;

/// <summary>
/// The real files, fetched once with npm into the repository's git-ignored data/mnist and
/// reused by every later run.
/// </summary>
public sealed class MnistRealDataTests
{
    // MNIST's digits are roughly balanced (the rarest, 5, is 9.0% of the training set, the
    // commonest, 1, 11.2%): a reader that scrambled labels or dropped a digit falls outside.
    private const double MinDigitShare = 0.05;
    private const double MaxDigitShare = 0.15;

    [Fact]
    public void DownloadsVerifiesAndLoads()
    {
        string directory = RepositoryPaths.MnistCache;
        Mnist.EnsureDownloaded(directory, line => TestContext.Current.TestOutputHelper?.WriteLine(line));

        foreach (string name in Mnist.FileNames)
        {
            string? path = Mnist.Find(directory, name);
            Assert.NotNull(path);
            Assert.Equal(Mnist.Sha256[name], Convert.ToHexStringLower(SHA256.HashData(ReadUnzipped(path))));
        }

        var (train, test) = Mnist.Load(directory);

        AssertSet(train, 60_000);
        AssertSet(test, 10_000);
    }

    private static void AssertSet(MnistSet set, int count)
    {
        Assert.Equal(count, set.Count);
        Assert.Equal(count * IdxReader.Pixels, set.Images.Length);
        Assert.Equal(0f, set.Images.Min());
        Assert.Equal(1f, set.Images.Max());

        for (int digit = 0; digit < 10; digit++)
        {
            double share = set.Labels!.Count(label => label == digit) / (double)count;
            Assert.InRange(share, MinDigitShare, MaxDigitShare);
        }
    }

    // A cache filled by hand may hold .gz files; the checksums are of the raw bytes.
    private static byte[] ReadUnzipped(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes is not [0x1f, 0x8b, ..])
        {
            return bytes;
        }

        using var unzipped = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        unzipped.CopyTo(raw);
        return raw.ToArray();
    }
}
