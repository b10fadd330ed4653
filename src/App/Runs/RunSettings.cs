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

    /// <summary>Fails now, before any download or training, if results could not be saved.</summary>
    public void EnsureOutputWritable()
    {
        try
        {
            Directory.CreateDirectory(RunDirectory);
            string probe = Path.Combine(RunDirectory, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
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
            + (Training.Objective != TrainingObjective.Elbo ? $" | {Training.Objective}" : string.Empty)
            + (TrainLimit is { } limit ? $" | train limit {limit}" : string.Empty);
        yield return $"data {DataDirectory} | out {RunDirectory}" + (Resume ? " | resume" : string.Empty);
    }
}
