namespace GpuVae.Tests.Support;

/// <summary>A fresh folder under the system temp folder, deleted with everything in it.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"gpuvae-test-{Guid.NewGuid():N}");

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, byte[] bytes)
    {
        string path = File(name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Leftover temporary files would mean a writer did not finish its rename.</summary>
    public string[] TempFiles() => Directory.GetFiles(Path, "*.tmp", SearchOption.AllDirectories);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
