namespace GpuVae.Tests.Support;

/// <summary>
/// Folders of the repository the tests run from, found by walking up from the test binaries
/// to the folder holding GpuVae.sln, so every test shares one download cache whatever the
/// working directory.
/// </summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>Where the real MNIST files are cached (git-ignored), downloaded once.</summary>
    public static string MnistCache => Path.Combine(Root, "data", "mnist");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "GpuVae.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no GpuVae.sln in {AppContext.BaseDirectory} or any folder above it");
    }
}
