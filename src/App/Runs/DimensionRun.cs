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
    /// <summary>Whether a run folder's last commit holds a finished run of at least the given epochs.</summary>
    public static bool IsFinished(string runDirectory, int epochs) =>
        Checkpoint.Exists(runDirectory) && Checkpoint.ReadMetrics(runDirectory).Count >= epochs;

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
    /// was trained with settings that continuing it under these would silently change: the
    /// model kind, the layers, the binarization, the seed and batch size, the objective, the validation split.
    /// </summary>
    public static void RefuseOtherSettings(string directory, RunSettings settings, VaeConfig asked, string asker)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var saved = Checkpoint.ReadConfig(directory);
        var state = Checkpoint.ReadState(directory);
        RefuseOtherKind(directory, saved, asked);
        if (!saved.Encoder.SequenceEqual(asked.Encoder) || !saved.Decoder.SequenceEqual(asked.Decoder))
        {
            throw new UsageException(
                $"{asker}: {directory} was trained with --encoder {HiddenSpecs.Format(saved.Encoder)} --decoder {HiddenSpecs.Format(saved.Decoder)}; pass the same layers to continue it");
        }

        if (saved.Binarization != asked.Binarization)
        {
            throw new UsageException(
                $"{asker}: {directory} was trained with --binarize {CheckpointMetadata.BinarizationName(saved.Binarization)}; pass the same value to continue it");
        }

        if (state.Seed != settings.Training.Seed || state.BatchSize != settings.Training.BatchSize)
        {
            throw new UsageException(
                $"{asker}: {directory} was trained with --seed {state.Seed} --batch-size {state.BatchSize}; pass the same values to continue it exactly");
        }

        if (state.Objective != settings.Training.Objective)
        {
            throw new UsageException(
                $"{asker}: {directory} was trained with {state.Objective}, not {settings.Training.Objective}; pass the same values to continue it");
        }

        // Checkpoints from before the schedule was recorded say nothing of it, and are taken as they are.
        if (state.LearningRates is { } learningRates && !learningRates.Equals(settings.Training.LearningRates))
        {
            throw new UsageException(
                $"{asker}: {directory} was trained with learning rates {learningRates} (--lr or --lr-schedule), not {settings.Training.LearningRates}; pass the same to continue it");
        }

        // Checkpoints from before the split was recorded say nothing of it, and are taken as they are.
        if (state.Validation is { } validation && validation != settings.Validation)
        {
            throw new UsageException(
                $"{asker}: {directory} was trained with --validation {validation}, which held those images out of training; pass the same value to continue it");
        }
    }

    public static IReadOnlyList<EpochMetrics> Train(
        RunSettings settings, Backend backend, MnistData data, TextWriter log, bool interactive, CancellationToken cancellation)
    {
        string directory = settings.RunDirectory;
        // D and the image shape come from the data: MNIST's 28x28 or any other size; the
        // conditional VAE's classes from its labels, whose absence is refused before anything is written.
        var network = data.Shape(settings.Network);
        Checkpoint.Recover(directory);
        Directory.CreateDirectory(directory);
        var (trainImages, validationImages) = settings.SplitTraining(data.Train.Images, network.Pixels);
        using var model = new Vae(backend, network);
        using var trainer = new Trainer(
            model, settings.Training, trainImages, BinarizedTestSet.For(network, data.Test.Images), BinarizedTestSet.For(network, validationImages),
            Labels(network, data, trainImages.Length / network.Pixels, validationImages.Length / network.Pixels));
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
            if (Checkpoint.Exists(directory))
            {
                log.WriteLine($"starting afresh: the checkpoint in {directory} will be replaced (pass --resume to continue it)");
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
                Checkpoint.Save(directory, model, State(settings, epoch - 1, trainer.GlobalStep, interrupted.Position), history);
                log.WriteLine();
                log.WriteLine($"interrupted in epoch {epoch} after step {interrupted.Position.StepsDone}: saved to {directory}; --resume continues from there");
                throw;
            }

            history.Add(metrics);
            Checkpoint.Save(directory, model, State(settings, epoch, trainer.GlobalStep), history);
            log.WriteLine(EpochLine.Format(metrics, settings.Training.Epochs, trainer.StepsPerEpoch, settings.Training.BatchSize));
            if (epoch == firstEpoch && backend.Kind != "host")
            {
                // Settled by the epoch's second step; the host backend has no graphs to speak of.
                log.WriteLine(trainer.GraphStatus);
            }
        }

        return history;
    }

    /// <summary>What a checkpoint records of where the run stands and how it trains.</summary>
    private static TrainingState State(RunSettings settings, int completedEpochs, long globalStep, EpochPosition? partial = null) =>
        new(completedEpochs, globalStep, settings.Training.Seed, settings.Training.BatchSize, partial)
        {
            Objective = settings.Training.Objective,
            Validation = settings.Validation,
            LearningRates = settings.Training.LearningRates,
        };

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
