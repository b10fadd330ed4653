using System.Globalization;
using GpuVae.Model.Network;
using GpuVae.Model.Training;

namespace GpuVae;

/// <summary>
/// Trains a VAE into a checkpoint folder, as the command line's <c>train</c> does: each epoch
/// shuffles the training images, trains every full batch, evaluates the test set, and commits
/// the checkpoint (model.safetensors, optimizer.safetensors, metrics.csv), which
/// <see cref="VaeModel.Load"/> reads and the command line's eval, plot, serve and export take.
/// </summary>
/// <example>
/// <code>
/// var data = VaeTrainingData.FromIdxFolder("data/mnist");
/// var options = new VaeTrainingOptions { Latent = 2, Epochs = 5, Accelerator = AcceleratorChoice.Host };
/// VaeTrainer.Train("runs/dim2", data, options, new Progress&lt;EpochReport&gt;(r => Console.WriteLine(r)));
/// </code>
/// </example>
public static class VaeTrainer
{
    /// <summary>
    /// Trains <see cref="VaeTrainingOptions.Epochs"/> epochs (or, with
    /// <see cref="VaeTrainingOptions.Resume"/>, the rest of them) into folder, created if absent.
    /// Cancelling stops between two steps, commits where the epoch stands and throws
    /// <see cref="OperationCanceledException"/>: training again with Resume continues it exactly.
    /// </summary>
    /// <param name="folder">The checkpoint folder. One that holds a model is refused unless Resume (continue it) or Overwrite (replace it) is set.</param>
    /// <param name="data">The training and test images (and labels, for a conditional model).</param>
    /// <param name="options">The training options; their defaults are the command line's.</param>
    /// <param name="progress">Told of each finished epoch.</param>
    /// <param name="cancellationToken">Stops training cleanly, the checkpoint kept resumable.</param>
    /// <returns>Every finished epoch's report, those of an earlier run that was resumed included.</returns>
    /// <exception cref="ArgumentException">An option does not fit the data or is out of range; the message names it.</exception>
    /// <exception cref="InvalidOperationException">
    /// The folder holds a model and neither Resume nor Overwrite is set (nothing is written), the
    /// accelerator is unavailable, Resume meets a run trained otherwise, or the loss stopped being finite.
    /// </exception>
    /// <exception cref="InvalidDataException">The checkpoint to resume is damaged.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the checkpoint holds the position reached.</exception>
    public static IReadOnlyList<EpochReport> Train(
        string folder, VaeTrainingData data, VaeTrainingOptions options, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        Check(options, data);
        int count = Math.Min(data.TrainCount, options.TrainLimit ?? int.MaxValue);
        int kept = count - options.Validation;
        if (kept < options.BatchSize)
        {
            throw new ArgumentException(
                $"options: Validation {options.Validation} of the {count} training images leaves {Math.Max(kept, 0)}, fewer than one batch of BatchSize {options.BatchSize}", nameof(options));
        }

        int classes = options.Conditional ? Math.Max(data.TrainClasses!.Max(), data.TestClasses!.Max()) + 1 : 0;
        var network = ModelFolder.Network(options, data.Rows, data.Cols, classes);
        var training = ModelFolder.Training(options);
        int pixels = network.Pixels;
        var trainImages = data.Train.AsSpan(0, kept * pixels).ToArray();
        var validationImages = data.Train.AsSpan(kept * pixels, options.Validation * pixels).ToArray();
        var labels = options.Conditional
            ? new TrainingLabels(
                LabelOneHots.Of(data.TrainClasses.AsSpan(0, kept), classes),
                LabelOneHots.Of(data.TestClasses, classes),
                LabelOneHots.Of(data.TrainClasses.AsSpan(kept, options.Validation), classes))
            : null;

        ModelFolder.RefuseReplacing(folder, options.Resume, options.Overwrite, options.Epochs);
        var record = ModelFolder.Record(network, training, options.Validation);
        var (backend, _) = Backends.Create(options.Accelerator, options.Device, nameof(options.Device));
        using var ownedBackend = backend;
        ModelFolder.Prepare(folder);
        using var model = new Vae(backend, network);
        using var trainer = new Trainer(
            model, training, trainImages, ModelFolder.Evaluated(network, data.Test), ModelFolder.Evaluated(network, validationImages), labels);
        var history = new List<EpochMetrics>();
        int firstEpoch = 1;
        EpochPosition? resumeFrom = null;
        if (options.Resume && ModelFolder.CanResume(folder))
        {
            var (state, saved) = ModelFolder.Resume(folder, model, record);
            trainer.GlobalStep = state.GlobalStep;
            firstEpoch = state.CompletedEpochs + 1;
            resumeFrom = state.Partial;
            history.AddRange(saved);
        }
        else
        {
            model.Initialize(options.Seed);
        }

        for (int epoch = firstEpoch; epoch <= options.Epochs; epoch++)
        {
            EpochMetrics metrics;
            try
            {
                metrics = trainer.TrainEpoch(epoch, progress: null, cancellationToken, epoch == firstEpoch ? resumeFrom : null);
            }
            catch (TrainingInterruptedException interrupted)
            {
                ModelFolder.Save(folder, model, record, epoch - 1, trainer.GlobalStep, history, interrupted.Position);
                throw new OperationCanceledException(
                    $"training stopped in epoch {epoch} after step {interrupted.Position.StepsDone}; {folder} holds that position and Resume continues it", interrupted, cancellationToken);
            }
            catch (NonFiniteLossException e)
            {
                throw new InvalidOperationException(e.Message, e);
            }

            history.Add(metrics);
            ModelFolder.Save(folder, model, record, epoch, trainer.GlobalStep, history);
            progress?.Report(Report(metrics, options.Epochs));
        }

        return history.Select(m => Report(m, options.Epochs)).ToList();
    }

    private static EpochReport Report(EpochMetrics m, int epochs) =>
        new(m.Epoch, epochs, m.TrainLoss, m.TrainBce, m.TrainKld, m.TestLoss, m.TestBce, m.TestKld, m.Validation?.Loss, m.Seconds, m.ImagesPerSecond);

    /// <summary>The command line's ranges (TrainingArguments), named by property.</summary>
    private static void Check(VaeTrainingOptions o, VaeTrainingData data)
    {
        Require(o.Latent is > 0 and <= 4096, nameof(o.Latent), "between 1 and 4096", o.Latent);
        Require(o.Hidden is > 0 and <= 65_536, nameof(o.Hidden), "between 1 and 65536", o.Hidden);
        Require(o.Epochs is > 0 and <= 100_000, nameof(o.Epochs), "between 1 and 100000", o.Epochs);
        Require(o.BatchSize > 0, nameof(o.BatchSize), "at least 1", o.BatchSize);
        Require(o.LearningRate is > 0 and <= 1, nameof(o.LearningRate), "in (0, 1]", o.LearningRate);
        Require(o.KeepProbability is > 0 and <= 1, nameof(o.KeepProbability), "in (0, 1]", o.KeepProbability);
        Require(o.InputNoise is >= 0 and <= 1, nameof(o.InputNoise), "in [0, 1]", o.InputNoise);
        Require(float.IsFinite(o.Beta) && o.Beta >= 0, nameof(o.Beta), "a finite number at least 0", o.Beta);
        Require(o.ImportanceSamples is null or (> 0 and <= 10_000), nameof(o.ImportanceSamples), "null or between 1 and 10000", o.ImportanceSamples);
        Require(o.ImportanceSamples is null || o.Beta == 1, nameof(o.Beta), "1 with ImportanceSamples (the importance-weighted bound has no KL term to weigh)", o.Beta);
        Require(o.ImportanceSamples is null || (long)o.BatchSize * o.ImportanceSamples <= 1_000_000, nameof(o.ImportanceSamples), "at most 1000000 / BatchSize rows a step", o.ImportanceSamples);
        Require(o.TrainLimit is null or > 0, nameof(o.TrainLimit), "null or at least 1", o.TrainLimit);
        Require(o.Validation >= 0, nameof(o.Validation), "at least 0", o.Validation);
        Require(o.Device >= 0, nameof(o.Device), "at least 0", o.Device);
        Require(!(o.Resume && o.Overwrite), nameof(o.Overwrite), "false with Resume (Resume continues the run in the folder, Overwrite replaces it)", o.Overwrite);
        Require(Enum.IsDefined(o.Accelerator), nameof(o.Accelerator), "an AcceleratorChoice", o.Accelerator);
        Require(!o.Conditional || data.HasLabels, nameof(o.Conditional), "false for data without labels of both sets (a conditional model reads each image's label)", o.Conditional);
    }

    private static void Require(bool condition, string property, string expected, object? value)
    {
        if (!condition)
        {
            throw new ArgumentException(
                $"options.{property} must be {expected}, got {Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null"}", "options");
        }
    }
}
