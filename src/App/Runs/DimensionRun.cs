using GpuVae.App.Data;
using GpuVae.Kernels;
using GpuVae.Model.Evaluation;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Model.Training;

namespace GpuVae.App.Runs;

/// <summary>
/// Trains one latent dimension end to end: fresh or resumed from its checkpoint, one
/// metrics row, checkpoint and summary line per epoch, into out/dim&lt;Z&gt;/.
/// </summary>
public static class DimensionRun
{
    /// <summary>
    /// Whether a run folder's last commit holds a finished run of at least the given epochs: its
    /// weights (with or without the optimizer state; results kept without it are finished too) and as many metrics rows.
    /// </summary>
    public static bool IsFinished(string runDirectory, int epochs) =>
        Checkpoint.HasWeights(runDirectory) && Checkpoint.ReadMetrics(runDirectory).Count >= epochs;

    /// <summary>
    /// A usage error, before anything is read or written, when training as asked would replace
    /// the model the run folder holds: without --resume or --overwrite, or with --resume where
    /// only the weights are kept (nothing to continue from). It names the folder, how far its
    /// run got and the ways out; the folder is left as it is.
    /// </summary>
    public static void RefuseReplacing(RunSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string directory = settings.RunDirectory;
        if (settings.Overwrite || RunProgress.Read(directory) is not { } progress)
        {
            return;
        }

        if (!progress.Resumable)
        {
            throw new UsageException(
                $"{directory} holds a model trained {progress} (of --epochs {settings.Training.Epochs}) without the optimizer state --resume needs: pass --overwrite to replace it, or another --out");
        }

        if (!settings.Resume)
        {
            throw new UsageException(
                $"{directory} holds a run trained {progress} (of --epochs {settings.Training.Epochs}): pass --resume to continue it, --overwrite to replace it, or another --out");
        }
    }

    /// <summary>A usage error when the run folder holds a model of the other kind than the one asked for: one cannot continue the other.</summary>
    public static void RefuseOtherKind(string directory, VaeConfig saved, VaeConfig asked)
    {
        ArgumentNullException.ThrowIfNull(saved);
        ArgumentNullException.ThrowIfNull(asked);
        if (saved.Kind != asked.Kind)
        {
            throw new UsageException(
                $"{directory} holds a {ModelKinds.Name(saved.Kind)}, not a {ModelKinds.Name(asked.Kind)}: pass --model {ModelKinds.Name(saved.Kind)} to continue it, or another --out");
        }
    }

    /// <summary>
    /// A usage error, prefixed by what asked (--resume, sweep), when the run folder's checkpoint
    /// was trained with settings that continuing it under these would silently change
    /// (<see cref="RunRecord.Differences"/>): one line naming each one's option as saved and as asked.
    /// </summary>
    public static void RefuseOtherSettings(string directory, RunSettings settings, VaeConfig asked, string asker)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var saved = RunRecord.Read(directory);
        var wanted = Record(settings, asked);
        var differences = saved.Differences(wanted);
        if (differences.Count == 0)
        {
            return;
        }

        RefuseOtherKind(directory, saved.Network, asked);
        throw new UsageException(
            $"{asker}: {directory} was trained with {Options(differences, saved)}, not {Options(differences, wanted)}; pass the same to continue it");
    }

    /// <summary>The command line's options that give these settings of a run, as they would be typed.</summary>
    private static string Options(IEnumerable<RunSetting> settings, RunRecord run) =>
        string.Join(" ", settings.Select(setting => setting switch
        {
            RunSetting.Kind => $"--model {ModelKinds.Name(run.Network.Kind)}",
            // The folder is dim<Z>/, so Z is the same on both sides.
            RunSetting.Layers => $"--encoder {HiddenSpecs.Format(run.Network.Encoder)} --decoder {HiddenSpecs.Format(run.Network.Decoder)}",
            RunSetting.Images => $"{run.Network.ImageRows}x{run.Network.ImageCols} images" + (run.Network.Classes > 0 ? $" of {run.Network.Classes} classes" : string.Empty),
            RunSetting.Binarization => $"--binarize {CheckpointMetadata.BinarizationName(run.Network.Binarization)}",
            RunSetting.Seed => $"--seed {run.Seed}",
            RunSetting.BatchSize => $"--batch-size {run.BatchSize}",
            RunSetting.Objective => run.Objective.ToString(),
            RunSetting.LearningRates => run.LearningRates is { IsConstant: true } rate ? $"--lr {rate}" : $"--lr-schedule {run.LearningRates}",
            RunSetting.Validation => $"--validation {run.Validation}",
            _ => throw new ArgumentOutOfRangeException(nameof(settings), setting, "a run setting nobody named"),
        }));

    /// <summary>What a checkpoint of this run records of how it trains.</summary>
    internal static RunRecord Record(RunSettings settings, VaeConfig network) => RunRecord.Of(network, settings.Training, settings.Validation);

    /// <summary>Trains one dim to its last epoch: <see cref="LockstepTraining"/> over that dim alone.</summary>
    public static IReadOnlyList<EpochMetrics> Train(
        RunSettings settings, Backend backend, MnistData data, TextWriter log, bool interactive, CancellationToken cancellation)
    {
        using var training = DimensionTraining.Open(settings, backend, data, log);
        LockstepTraining.Train([training], log, interactive, cancellation);
        return training.History;
    }
}
