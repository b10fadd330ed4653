using GpuVae.Kernels;
using GpuVae.Kernels.Operations;
using GpuVae.Model.Evaluation;
using GpuVae.Model.Network;

namespace GpuVae.Model.Training;

/// <summary>
/// The TensorFlow original's training loop: each epoch shuffles the training images (seeded by the run's
/// seed and the epoch, so a resumed run shuffles alike), takes floor(N / B) full batches of
/// forward, loss, backward and Adam update, then evaluates the whole test set without dropout.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly Tensor trainImages;
    private readonly Tensor? trainLabels;
    private readonly TrainingLabels? labels;
    private readonly float[] testImages;
    private readonly float[]? validationImages;
    private readonly int trainCount;
    private readonly TrainingStep trainingStep;
    private readonly VaeInference inference;

    /// <param name="trainImages">(N, D) pixels in [0, 1], uploaded to the backend once; the host backend keeps the array itself, so it must not change while the trainer lives.</param>
    /// <param name="testImages">(M, D) pixels in [0, 1].</param>
    /// <param name="validationImages">(V, D) images held out of training, evaluated each epoch as the test set is; null or empty for none.</param>
    /// <param name="labels">The sets' one-hot labels, which a model whose layers read the label needs: the training rows uploaded once beside the images.</param>
    public Trainer(Vae model, TrainingOptions options, float[] trainImages, float[] testImages, float[]? validationImages = null, TrainingLabels? labels = null)
    {
        Model = model;
        Options = options;
        int pixels = model.Config.Pixels;
        trainCount = trainImages.Length / pixels;
        if (options.BatchSize > trainCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), $"the batch size {options.BatchSize} is larger than the {trainCount} training images");
        }

        // Shared, not copied, on the host: nothing writes the training set, and its caller keeps it for the pictures.
        this.trainImages = Backend.UploadShared(trainImages, trainCount, pixels);
        trainingStep = new TrainingStep(model, options, options.CaptureGraph);
        if (trainingStep.GathersLabels)
        {
            this.labels = labels ?? throw new ArgumentNullException(nameof(labels), "the model's layers read the label: it trains on labelled images");
            trainLabels = Backend.Allocate(trainCount, model.Config.Classes);
            Backend.Upload(trainLabels, labels.Train);
        }
        this.testImages = testImages;
        this.validationImages = validationImages is { Length: > 0 } ? validationImages : null;
        inference = new VaeInference(model, (ulong)options.Seed, options.EvaluationBatchSize);
    }

    public Vae Model { get; }

    public TrainingOptions Options { get; }

    public int StepsPerEpoch => trainCount / Options.BatchSize;

    /// <summary>How steps run (captured as a graph, or op by op and why): settled by the second step.</summary>
    public string GraphStatus => trainingStep.GraphStatus;

    /// <summary>Training steps taken so far over all epochs: the random streams' counter.</summary>
    public long GlobalStep
    {
        get => trainingStep.StepsTaken;
        set => trainingStep.StepsTaken = value;
    }

    private Backend Backend => Model.Backend;

    /// <summary>
    /// Trains epoch (1-based), or the rest of it after an interruption, and evaluates the test
    /// set. A cancellation request stops between steps with a <see cref="TrainingInterruptedException"/>
    /// that carries the position to save.
    /// </summary>
    public EpochMetrics TrainEpoch(int epoch, IProgress<TrainingProgress>? progress, CancellationToken cancellation, EpochPosition? resumeFrom = null)
    {
        var training = StartEpoch(epoch, resumeFrom);
        while (!training.AllStepsTaken)
        {
            if (cancellation.IsCancellationRequested)
            {
                throw training.Interrupt();
            }

            training.BeginStep();
            training.FinishStep(progress);
        }

        return training.Evaluate();
    }

    /// <summary>
    /// Epoch (1-based), or the rest of it after an interruption, to be taken a step at a time
    /// (<see cref="TrainingEpoch"/>): what lets a sweep keep several trainers in lockstep.
    /// </summary>
    public TrainingEpoch StartEpoch(int epoch, EpochPosition? resumeFrom = null)
    {
        if (resumeFrom is not null && (resumeFrom.Epoch != epoch || resumeFrom.StepsDone > StepsPerEpoch))
        {
            throw new ArgumentException($"cannot resume epoch {epoch} from {resumeFrom}", nameof(resumeFrom));
        }

        float learningRate = Options.LearningRates.RateOf(epoch);
        trainingStep.LearningRate = learningRate;
        return new TrainingEpoch(this, epoch, ShuffledOrder(epoch), learningRate, resumeFrom);
    }

    /// <summary>Puts the step on these rows of the training images on the device (<see cref="TrainingStep.Begin"/>).</summary>
    internal void BeginStep(ReadOnlySpan<int> rows) => trainingStep.Begin(trainImages, rows, trainLabels);

    /// <summary>Waits for the step begun and returns its batch's mean loss (<see cref="TrainingStep.Finish"/>).</summary>
    internal double FinishStep() => trainingStep.Finish();

    internal void AddLastStepTo(LossTotals totals) => trainingStep.AddLastStepTo(totals);

    /// <summary>The test set's losses, and the validation set's where there is one: each epoch's evaluation, without dropout.</summary>
    internal (LossTotals Test, LossTotals? Validation) EvaluateHeldOut()
    {
        var test = inference.Evaluate(testImages, labels?.Test);
        var validation = validationImages is null ? null : inference.Evaluate(validationImages, labels?.Validation);
        return (test, validation);
    }

    public void Dispose()
    {
        trainImages.Dispose();
        trainLabels?.Dispose();
        trainingStep.Dispose();
        inference.Dispose();
    }

    /// <summary>A Fisher-Yates permutation that depends only on (seed, epoch).</summary>
    private int[] ShuffledOrder(int epoch)
    {
        var order = Enumerable.Range(0, trainCount).ToArray();
        // HashCode is salted per process, so the seed is mixed by hand to stay reproducible.
        new Random(unchecked((Options.Seed * 1_000_003) + epoch)).Shuffle(order);
        return order;
    }
}
