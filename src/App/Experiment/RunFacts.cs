using System.Diagnostics;
using System.Text.Json;
using GpuVae.Model.Persistence;

namespace GpuVae.App.Experiment;

/// <summary>
/// How a sweep was run, saved as out/run.json so that `plot` can regenerate the report
/// from saved files alone.
/// </summary>
public sealed record RunFacts(string Command, string GitCommit, string Accelerator, string Device, int Epochs, double WallSeconds)
{
    public const string FileName = "run.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static RunFacts? Read(string outputDirectory)
    {
        string path = Path.Combine(outputDirectory, FileName);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<RunFacts>(File.ReadAllText(path)) : null;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a run description: {e.Message}", e);
        }
    }

    public void Write(string outputDirectory) =>
        AtomicFile.WriteAllText(Path.Combine(outputDirectory, FileName), JsonSerializer.Serialize(this, Indented));

    /// <summary>The command line as typed, for the report.</summary>
    public static string CommandLine() => "GpuVae " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));

    /// <summary>The checked-out commit, or "unknown" outside a git work tree.</summary>
    public static string CurrentCommit()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", "rev-parse --short HEAD")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            string commit = git!.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 && commit.Length > 0 ? commit : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
