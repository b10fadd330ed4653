namespace GpuVae.Model.Persistence;

/// <summary>
/// Writes a file so that a reader sees either the old content or the complete new content,
/// never a half-written file: a run killed at any moment must not leave a truncated checkpoint,
/// metrics.csv or PNG that a later run or `plot` would trust.
/// </summary>
public static class AtomicFile
{
    /// <summary>Creates the folder, writes to a temporary file beside the target, flushes it
    /// to disk and renames it over the target.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        string fullPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(folder);
        // Same folder, so the rename stays on one file system and is atomic.
        string temp = Path.Combine(folder, TemporaryNamePattern(Path.GetFileName(fullPath)).Replace("*", $"{Guid.NewGuid():N}", StringComparison.Ordinal));
        try
        {
            using (var stream = FileOperations.CreateNew(temp))
            {
                write(stream);
                // Without this the rename can reach the disk before the data after a crash.
                stream.Flush(flushToDisk: true);
            }
            FileOperations.Move(temp, fullPath);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>The names of the temporary files that writing fileName makes, as a search
    /// pattern: a kill before the rename leaves one behind, and the folder's writer may delete it.</summary>
    public static string TemporaryNamePattern(string fileName) => $".{fileName}.*.tmp";

    public static void WriteAllBytes(string path, byte[] bytes) =>
        Write(path, stream => stream.Write(bytes));

    public static void WriteAllText(string path, string text) =>
        Write(path, stream =>
        {
            // No byte-order mark: the files are read by git, diff tools and markdown viewers.
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            writer.Write(text);
        });
}
