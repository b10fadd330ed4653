using System.Diagnostics;
using System.Reflection;
using GpuVae.Tests.Support;
using SixLabors.ImageSharp;
using Xunit;

namespace GpuVae.Tests.App;

/// <summary>
/// The packages as a user gets them: `dotnet pack GpuVae.sln` writes the library packages and
/// the tool; the tool installs into a tool path and answers --help; samples/QuickStart, copied
/// out of the repository, builds against the packed folder (not the projects) and writes its PNG.
/// </summary>
/// <remarks>
/// Safe beside the rest of the suite: the pack is --no-build (it reads the build this test host
/// came from and writes no binaries; the tool's publish goes to a temporary PublishDir), and
/// everything else (packages, tool path, the sample's copy, its bin and obj, a NuGet package
/// folder of its own, so that no stale GpuVae package of the same version is ever picked from
/// the user's cache) lives in one temporary folder.
/// </remarks>
public sealed class PackagingTests
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan RestoreTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public void PackagesInstallTheToolAndBuildTheSample()
    {
        if (FindOnPath("dotnet") is null)
        {
            Assert.Skip("dotnet is not on PATH: the packaging test drives the real dotnet CLI");
        }

        _ = RealMnist.Load();
        using var temp = new TempFolder();
        string packages = temp.File("packages");
        string version = typeof(VaeModel).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
        string configuration = typeof(PackagingTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = temp.File("nuget"), ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" };

        Dotnet(["pack", Path.Combine(RepositoryPaths.Root, "GpuVae.sln"), "-c", configuration, "--no-build", "-o", packages, $"-p:PublishDir={temp.File("publish")}/"], RepositoryPaths.Root, environment, PackTimeout);
        Assert.Equal(
            new[] { "GpuVae", "GpuVae.Api", "GpuVae.Kernels", "GpuVae.Model" }.Select(id => $"{id}.{version}.nupkg"),
            Directory.GetFiles(packages, "*.nupkg").Select(Path.GetFileName).Order(StringComparer.Ordinal));

        string tools = temp.File("tools");
        Dotnet(["tool", "install", "GpuVae", "--tool-path", tools, "--add-source", packages, "--version", version], temp.Path, environment, RestoreTimeout);
        string help = Run(Path.Combine(tools, "gpuvae"), ["--help"], temp.Path, environment, RunTimeout);
        Assert.Contains("variational autoencoder", help, StringComparison.Ordinal);
        Assert.Contains("export", help, StringComparison.Ordinal);

        // The sample copied where no repository file can reach it: its only GpuVae is the package.
        string sample = temp.File("QuickStart");
        Directory.CreateDirectory(sample);
        foreach (string file in new[] { "QuickStart.csproj", "Program.cs" })
        {
            File.Copy(Path.Combine(RepositoryPaths.Root, "samples", "QuickStart", file), Path.Combine(sample, file));
        }

        Dotnet(["build", sample, "-c", "Release", $"-p:GpuVaeVersion={version}", $"-p:GpuVaePackages={packages}"], sample, environment, RestoreTimeout);
        Assert.True(File.Exists(Path.Combine(temp.File("nuget"), "gpuvae.api", version, $"gpuvae.api.{version}.nupkg")), "the sample did not restore GpuVae.Api from the packed folder");
        string output = temp.File("out");
        string log = Dotnet([Path.Combine(sample, "bin", "Release", "net10.0", "QuickStart.dll"), RepositoryPaths.MnistCache, output], sample, environment, RunTimeout);
        Assert.Contains("epoch 2/2", log, StringComparison.Ordinal);
        var png = Image.Identify(Path.Combine(output, "manifold.png"));
        Assert.Equal((280, 280), (png.Width, png.Height));
    }

    private static string Dotnet(string[] arguments, string directory, Dictionary<string, string> environment, TimeSpan timeout) =>
        Run("dotnet", arguments, directory, environment, timeout);

    /// <summary>Runs a command to its end within timeout; its output, or a failure that shows it.</summary>
    private static string Run(string command, string[] arguments, string directory, Dictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(command) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        string line = $"{command} {string.Join(' ', arguments)}";
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{line}: still running after {timeout.TotalSeconds} s");
        }

        string text = output.Result + error.Result;
        Assert.True(process.ExitCode == 0, $"{line}: exit code {process.ExitCode}\n{text}");
        return text;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
}
