namespace GpuVae.Model.Persistence;

/// <summary>
/// Writes files that belong together (an exported encoder and its decoder) so that a failure
/// leaves none of them: all are written and flushed in a temporary folder beside the target,
/// and only then moved into place.
/// </summary>
public static class AtomicFolder
{
    /// <summary>
    /// A new folder is the temporary one renamed: one atomic step. An existing folder gets each
    /// file renamed over its old one, each atomic; only a kill between those renames could mix
    /// old and new. On failure, the temporary folder and any parent folders it had to create are
    /// removed, and the exception propagates.
    /// </summary>
    public static void Write(string folder, IReadOnlyList<(string Name, byte[] Bytes)> files)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(files);
        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        if (File.Exists(target))
        {
            throw new IOException($"{target} is a file, not a folder");
        }

        string parent = Path.GetDirectoryName(target) ?? throw new IOException($"{target} has no parent folder to write beside");
        string? created = null;
        for (string? ancestor = parent; ancestor is not null && !Directory.Exists(ancestor); ancestor = Path.GetDirectoryName(ancestor))
        {
            created = ancestor;
        }

        // Beside the target, so the renames stay on one file system and are atomic.
        string temp = Path.Combine(parent, AtomicFile.TemporaryNamePattern(Path.GetFileName(target)).Replace("*", $"{Guid.NewGuid():N}", StringComparison.Ordinal));
        try
        {
            Directory.CreateDirectory(temp);
            foreach (var (name, bytes) in files)
            {
                using var stream = FileOperations.CreateNew(Path.Combine(temp, name));
                stream.Write(bytes);
                // Without this the renames can reach the disk before the data after a crash.
                stream.Flush(flushToDisk: true);
            }

            if (Directory.Exists(target))
            {
                foreach (var (name, _) in files)
                {
                    FileOperations.Move(Path.Combine(temp, name), Path.Combine(target, name));
                }
            }
            else
            {
                Directory.Move(temp, target);
            }
        }
        catch
        {
            if (created is not null && Directory.Exists(created))
            {
                Directory.Delete(created, recursive: true);
            }

            throw;
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }
}
