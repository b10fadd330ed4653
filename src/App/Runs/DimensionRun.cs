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
    private static RunRecord Record(RunSettings settings, VaeConfig network) => RunRecord.Of(network, settings.Training, settings.Validation);

    public static IReadOnlyList<EpochMetrics> Train(
        RunSettings settings, Backend backend, MnistData data, TextWriter log, bool interactive, CancellationToken cancellation)
    {
        string directory = settings.RunDirectory;
        // D and the image shape come from the data: MNIST's 28x28 or any other size; the
        // conditional VAE's classes from its labels, whose absence is refused before anything is written.
        var network = data.Shape(settings.Network);
        // train refuses before it reads the data; this holds for every caller (a sweep's unfinished dims).
        RefuseReplacing(settings);
        Checkpoint.Recover(directory);
        Directory.CreateDirectory(directory);
        var (trainImages, validationImages) = settings.SplitTraining(data.Train.Images, network.Pixels);
        using var model = new Vae(backend, network);
        using var trainer = new Trainer(
            model, settings.Training, trainImages, BinarizedTestSet.For(network, data.Test.Images), BinarizedTestSet.For(network, validationImages),
            Labels(network, data, trainImages.Length / network.Pixels, validationImages.Length / network.Pixels));
        var record = Record(settings, network);
        var history = new List<EpochMetrics>();
        int firstEpoch = 1;
        EpochPosition? resumeFrom = null;
        if (settings.Resume && Checkpoint.Exists(directory))
        {
            var saved = Checkpoint.ReadConfig(directory);
            if (data.Mismatch(saved, directory) is { } mismatch)
            {
                throw new UsageException($"--resume: {mismatch}");
            }

            RefuseOtherSettings(directory, settings, network, "--resume");
            var state = Checkpoint.LoadForResume(directory, model);

            trainer.GlobalStep = state.GlobalStep;
            firstEpoch = state.CompletedEpochs + 1;
            resumeFrom = state.Partial;
            history.AddRange(Checkpoint.ReadMetrics(directory).Where(m => m.Epoch <= state.CompletedEpochs));
            log.WriteLine($"resuming {directory} after epoch {state.CompletedEpochs}"
                + (resumeFrom is null ? string.Empty : $" and {resumeFrom.StepsDone} steps of epoch {resumeFrom.Epoch}") + $" (step {state.GlobalStep})");
        }
        else
        {
            if (Checkpoint.HasWeights(directory))
            {
                log.WriteLine($"--overwrite: the model in {directory} will be replaced");
            }

            model.Initialize(settings.Training.Seed);
        }

        log.WriteLine(EpochLine.Header);
        var progress = new ProgressBar(log, interactive);
        for (int epoch = firstEpoch; epoch <= settings.Training.Epochs; epoch++)
        {
            EpochMetrics metrics;
            try
            {
                metrics = trainer.TrainEpoch(epoch, progress, cancellation, epoch == firstEpoch ? resumeFrom : null);
            }
            catch (TrainingInterruptedException interrupted)
            {
                // Ctrl-C: the step in flight has finished; save where the epoch stands so --resume continues it exactly.
                Checkpoint.Save(directory, model, record.State(epoch - 1, trainer.GlobalStep, interrupted.Position), history);
                log.WriteLine();
                log.WriteLine($"interrupted in epoch {epoch} after step {interrupted.Position.StepsDone}: saved to {directory}; --resume continues from there");
                throw;
            }

            history.Add(metrics);
            Checkpoint.Save(directory, model, record.State(epoch, trainer.GlobalStep), history);
            log.WriteLine(EpochLine.Format(metrics, settings.Training.Epochs, trainer.StepsPerEpoch, settings.Training.BatchSize));
            if (epoch == firstEpoch && backend.Kind != "host")
            {
                // Settled by the epoch's second step; the host backend has no graphs to speak of.
                log.WriteLine(trainer.GraphStatus);
            }
        }

        return history;
    }

    /// <summary>The one-hot labels beside the training images (the first train, then validation ones, as SplitTraining splits) and the test images; null for the plain VAE.</summary>
    private static TrainingLabels? Labels(VaeConfig network, MnistData data, int train, int validation)
    {
        if (!network.ReadsLabels)
        {
            return null;
        }

        var labels = data.LabelsFor(network, data.Train);
        return new TrainingLabels(
            LabelOneHots.Of(labels.AsSpan(0, train), network.Classes),
            data.TestOneHots(network, data.Test.Count),
            LabelOneHots.Of(labels.AsSpan(train, validation), network.Classes));
    }
}
