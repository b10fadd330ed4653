namespace GpuVae.Model.Persistence;

/// <summary>
/// The two file-system calls that change a run folder: creating a file and renaming one over
/// another. A kill can land between any two of them, so tests fail the Nth call through
/// <see cref="BeforeEach"/> to stand in for a kill at that moment. The seam is per async flow:
/// tests running side by side never see each other's faults.
/// </summary>
internal static class FileOperations
{
    /// <summary>Called with a description of each operation before it runs; a test's hook throws to fail it.</summary>
    internal static readonly AsyncLocal<Action<string>?> BeforeEach = new();

    public static FileStream CreateNew(string path)
    {
        BeforeEach.Value?.Invoke($"create {Path.GetFileName(path)}");
        return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
    }

    public static void Move(string from, string to)
    {
        BeforeEach.Value?.Invoke($"rename {Path.GetFileName(from)} -> {Path.GetFileName(to)}");
        File.Move(from, to, overwrite: true);
    }
}
