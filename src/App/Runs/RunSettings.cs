using GpuVae.Model;

namespace GpuVae.App.Runs;

/// <summary>Everything `GpuVae train` was asked to do, validated.</summary>
public sealed record RunSettings(
    VaeConfig Network,
    TrainingOptions Training,
    string DataDirectory,
    string OutputDirectory,
    string Accelerator,
    int DeviceIndex,
    bool Resume,
    int? TrainLimit)
{
    /// <summary>Results of one latent dimension live in their own folder: out/dim20/.</summary>
    public string RunDirectory => Path.Combine(OutputDirectory, $"dim{Network.Latent}");

    /// <summary>
    /// Fails now, before any download or training, if results could not be saved. Leaves the
    /// file system as it found it: folders it had to create to try are removed again, so a run
    /// that fails later (bad data, say) has written nothing.
    /// </summary>
    public void EnsureOutputWritable()
    {
        string? created = null;
        try
        {
            for (string? folder = Path.GetFullPath(RunDirectory); folder is not null && !Directory.Exists(folder); folder = Path.GetDirectoryName(folder))
            {
                created = folder;
            }

            Directory.CreateDirectory(RunDirectory);
            string probe = Path.Combine(RunDirectory, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
            if (created is not null)
            {
                Directory.Delete(created, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new UsageException($"--out {OutputDirectory}: cannot write results there: {e.Message}");
        }
    }

    public IEnumerable<string> Describe()
    {
        yield return $"dim {Network.Latent} | hidden {Network.Hidden} | epochs {Training.Epochs} | batch {Training.BatchSize} | lr {Training.LearningRate:G} | keep {Training.KeepProbability:G} | seed {Training.Seed}"
            + (Training.InputNoise > 0 ? $" | input noise {Training.InputNoise:G}" : string.Empty)
            + (Network.Binarization != Binarization.None ? $" | binarize {Checkpoint.BinarizationName(Network.Binarization)}" : string.Empty)
            + (TrainLimit is { } limit ? $" | train limit {limit}" : string.Empty);
        yield return $"data {DataDirectory} | out {RunDirectory}" + (Resume ? " | resume" : string.Empty);
    }
}
