using GpuVae.App.Data;
using GpuVae.Kernels;
using GpuVae.Model.Evaluation;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Model.Training;

namespace GpuVae.App.Runs;

/// <summary>
/// One latent dimension opened for training into out/dim&lt;Z&gt;/: its model and trainer, fresh
/// or resumed from its checkpoint, and where it stands (the epoch in progress, the metrics so
/// far). Each finished epoch is committed as one metrics row and checkpoint; an interruption
/// saves the epoch's position. <see cref="LockstepTraining"/> advances one or several of them.
/// </summary>
public sealed class DimensionTraining : IDisposable
{
    private readonly Vae model;
    private readonly RunRecord record;
    private readonly TextWriter log;
    private readonly List<EpochMetrics> history = [];
    private int nextEpoch = 1;
    // Where an interrupted epoch stopped, for the first epoch this process trains.
    private EpochPosition? resumeFrom;
    private bool graphStatusShown;

    private DimensionTraining(RunSettings settings, Vae model, Trainer trainer, RunRecord record, TextWriter log)
    {
        Settings = settings;
        this.model = model;
        Trainer = trainer;
        this.record = record;
        this.log = log;
    }

    public RunSettings Settings { get; }

    public Trainer Trainer { get; }

    public int Latent => Settings.Network.Latent;

    /// <summary>The epoch being trained, once started and until it is committed.</summary>
    public TrainingEpoch? Current { get; private set; }

    /// <summary>Every epoch's metrics, those of earlier runs of this folder included.</summary>
    public IReadOnlyList<EpochMetrics> History => history;

    /// <summary>Whether every epoch asked for is trained and committed.</summary>
    public bool Finished => Current is null && nextEpoch > Settings.Training.Epochs;

    /// <summary>
    /// Opens the dim's run folder: refuses to replace a run it was not asked to, recovers a save
    /// cut short, then loads the checkpoint to continue (--resume, as a sweep always does) or
    /// initializes a fresh model.
    /// </summary>
    public static DimensionTraining Open(RunSettings settings, Backend backend, MnistData data, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(log);
        string directory = settings.RunDirectory;
        // D and the image shape come from the data: MNIST's 28x28 or any other size; the
        // conditional VAE's classes from its labels, whose absence is refused before anything is written.
        var network = data.Shape(settings.Network);
        // train refuses before it reads the data; this holds for every caller (a sweep's unfinished dims).
        DimensionRun.RefuseReplacing(settings);
        Checkpoint.Recover(directory);
        Directory.CreateDirectory(directory);
        var (trainImages, validationImages) = settings.SplitTraining(data.Train.Images, network.Pixels);
        var model = new Vae(backend, network);
        Trainer? trainer = null;
        try
        {
            trainer = new Trainer(
                model, settings.Training, trainImages, BinarizedTestSet.For(network, data.Test.Images), BinarizedTestSet.For(network, validationImages),
                Labels(network, data, trainImages.Length / network.Pixels, validationImages.Length / network.Pixels));
            var training = new DimensionTraining(settings, model, trainer, DimensionRun.Record(settings, network), log);
            training.Load(network, data);
            return training;
        }
        catch
        {
            trainer?.Dispose();
            model.Dispose();
            throw;
        }
    }

    /// <summary>Starts the next epoch, or the rest of the one an interruption stopped.</summary>
    public TrainingEpoch StartEpoch()
    {
        if (Current is not null || Finished)
        {
            throw new InvalidOperationException($"{Settings.RunDirectory}: {(Finished ? "every epoch is trained" : $"epoch {Current!.Epoch} is in progress")}");
        }

        Current = Trainer.StartEpoch(nextEpoch, resumeFrom);
        resumeFrom = null;
        return Current;
    }

    /// <summary>
    /// Evaluates the current epoch, whose steps are done, and commits it: its metrics row and
    /// a checkpoint. Returns its metrics.
    /// </summary>
    public EpochMetrics CommitEpoch()
    {
        var epoch = Current ?? throw new InvalidOperationException($"{Settings.RunDirectory}: no epoch is in progress");
        var metrics = epoch.Evaluate();
        history.Add(metrics);
        Checkpoint.Save(Settings.RunDirectory, model, record.State(epoch.Epoch, Trainer.GlobalStep), history);
        Current = null;
        nextEpoch = epoch.Epoch + 1;
        return metrics;
    }

    /// <summary>
    /// How steps run (captured as a graph, or op by op and why), once, after the first epoch this
    /// process trained: settled by then; null otherwise and on the host, which has no graphs to speak of.
    /// </summary>
    public string? TakeGraphStatus()
    {
        if (graphStatusShown || model.Backend.Kind == BackendFactory.Name(BackendKind.Host))
        {
            return null;
        }

        graphStatusShown = true;
        return Trainer.GraphStatus;
    }

    /// <summary>
    /// Ctrl-C: the steps begun have finished; saves where the current epoch stands so --resume
    /// continues it exactly. Returns the exception to throw.
    /// </summary>
    public TrainingInterruptedException SaveInterrupted()
    {
        var epoch = Current ?? throw new InvalidOperationException($"{Settings.RunDirectory}: no epoch is in progress");
        var interrupted = epoch.Interrupt();
        Checkpoint.Save(Settings.RunDirectory, model, record.State(epoch.Epoch - 1, Trainer.GlobalStep, interrupted.Position), history);
        log.WriteLine();
        log.WriteLine($"interrupted in epoch {epoch.Epoch} after step {interrupted.Position.StepsDone}: saved to {Settings.RunDirectory}; --resume continues from there");
        return interrupted;
    }

    public void Dispose()
    {
        Trainer.Dispose();
        model.Dispose();
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

    /// <summary>Continues the checkpoint where asked and one exists; otherwise initializes the model afresh.</summary>
    private void Load(VaeConfig network, MnistData data)
    {
        string directory = Settings.RunDirectory;
        if (Settings.Resume && Checkpoint.Exists(directory))
        {
            var saved = Checkpoint.ReadConfig(directory);
            if (data.Mismatch(saved, directory) is { } mismatch)
            {
                throw new UsageException($"--resume: {mismatch}");
            }

            DimensionRun.RefuseOtherSettings(directory, Settings, network, "--resume");
            var state = Checkpoint.LoadForResume(directory, model);
            Trainer.GlobalStep = state.GlobalStep;
            nextEpoch = state.CompletedEpochs + 1;
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

            model.Initialize(Settings.Training.Seed);
        }
    }
}
