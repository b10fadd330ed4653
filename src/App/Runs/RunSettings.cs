using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Model.Training;

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
    int? TrainLimit,
    int Validation = 0)
{
    /// <summary>Start afresh over a run folder that holds a model, replacing it (--overwrite); without it or --resume such a folder is refused.</summary>
    public bool Overwrite { get; init; }

    /// <summary>MNIST's training set; --validation is checked against it before anything is written, and against the data read later.</summary>
    public const int MnistTrainingImages = 60_000;

    /// <summary>
    /// The training images split as --train-limit and --validation ask: of the first TrainLimit
    /// images (all without it), the last Validation held out and the rest trained on. A split
    /// that leaves less than one batch is a usage error.
    /// </summary>
    public (float[] Train, float[] Validation) SplitTraining(float[] images, int pixels)
    {
        ArgumentNullException.ThrowIfNull(images);
        int count = Math.Min(images.Length / pixels, TrainLimit ?? int.MaxValue);
        int kept = count - Validation;
        if (kept < Training.BatchSize)
        {
            throw new UsageException(
                $"--validation {Validation} leaves {Math.Max(kept, 0)} of the {count} training images: fewer than one batch of {Training.BatchSize}");
        }

        return (kept * pixels == images.Length ? images : images[..(kept * pixels)], images[(kept * pixels)..(count * pixels)]);
    }

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
        yield return $"dim {Network.Latent} | encoder {HiddenSpecs.Format(Network.Encoder)} | decoder {HiddenSpecs.Format(Network.Decoder)} | epochs {Training.Epochs} | batch {Training.BatchSize} | lr {Training.LearningRates} | keep {Training.KeepProbability:G} | seed {Training.Seed}"
            + (Training.InputNoise > 0 ? $" | input noise {Training.InputNoise:G}" : string.Empty)
            + (Network.Kind != ModelKind.Vae ? $" | model {ModelKinds.Name(Network.Kind)}" : string.Empty)
            + (Network.Binarization != Binarization.None ? $" | binarize {CheckpointMetadata.BinarizationName(Network.Binarization)}" : string.Empty)
            + (Training.Objective != TrainingObjective.Elbo ? $" | {Training.Objective}" : string.Empty)
            + (TrainLimit is { } limit ? $" | train limit {limit}" : string.Empty)
            + (Validation > 0 ? $" | validation {Validation}" : string.Empty);
        yield return $"data {DataDirectory} | out {RunDirectory}" + (Resume ? " | resume" : string.Empty) + (Overwrite ? " | overwrite" : string.Empty);
    }
}
