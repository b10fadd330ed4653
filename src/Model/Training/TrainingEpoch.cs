using System.Diagnostics;

namespace GpuVae.Model.Training;

/// <summary>
/// One epoch of a <see cref="Trainer"/>, taken a step at a time: each step begun (put on the
/// device) and then finished (waited for, its losses added). <see cref="Trainer.TrainEpoch"/>
/// runs it alone; a sweep begins a step of every dim's epoch before it finishes any, so that
/// on a GPU the dims' steps run side by side. It carries where the epoch stands (its shuffle,
/// the steps taken, their loss sums and time), so an interruption saves exactly that.
/// </summary>
public sealed class TrainingEpoch
{
    private readonly Trainer trainer;
    private readonly int[] order;
    private readonly LossTotals train;
    private readonly EpochPosition? resumeFrom;
    // Runs only while this epoch's own work does (its steps, its evaluation): dims trained side by
    // side then share the wall time instead of each counting all of it, so that all dims' images
    // over all their seconds stays the sweep's throughput. On a GPU the first dim's wait for a
    // step carries the others' work too; their sum is still the wall time.
    private readonly Stopwatch clock = new();

    internal TrainingEpoch(Trainer trainer, int epoch, int[] order, float learningRate, EpochPosition? resumeFrom)
    {
        this.trainer = trainer;
        this.order = order;
        this.resumeFrom = resumeFrom;
        Epoch = epoch;
        LearningRate = learningRate;
        StepsDone = resumeFrom?.StepsDone ?? 0;
        train = resumeFrom is null ? new LossTotals() : new LossTotals(resumeFrom.BceSum, resumeFrom.KldSum, resumeFrom.Images, resumeFrom.BoundSum);
    }

    /// <summary>The epoch, 1-based.</summary>
    public int Epoch { get; }

    /// <summary>Adam's rate for this epoch's steps: the schedule's rate of the epoch.</summary>
    public float LearningRate { get; }

    /// <summary>Steps finished in this epoch, those before an interruption included.</summary>
    public int StepsDone { get; private set; }

    /// <summary>Whether every step of the epoch is finished, so that it is left to <see cref="Evaluate"/>.</summary>
    public bool AllStepsTaken => StepsDone == trainer.StepsPerEpoch;

    private int BatchSize => trainer.Options.BatchSize;

    // A run resumed mid-epoch took the earlier steps' time and images before this process started.
    private double EarlierSeconds => resumeFrom?.Seconds ?? 0;

    /// <summary>Puts the epoch's next step on the device without waiting for it.</summary>
    public void BeginStep()
    {
        if (AllStepsTaken)
        {
            throw new InvalidOperationException($"epoch {Epoch} has taken all its {trainer.StepsPerEpoch} steps");
        }

        clock.Start();
        trainer.BeginStep(order.AsSpan(StepsDone * BatchSize, BatchSize));
        clock.Stop();
    }

    /// <summary>
    /// Waits for the step begun and adds its losses to the epoch's; a loss that is not finite
    /// stops training (<see cref="NonFiniteLossException"/>) before anything keeps the step.
    /// </summary>
    public void FinishStep(IProgress<TrainingProgress>? progress)
    {
        clock.Start();
        double batchLoss = trainer.FinishStep();
        clock.Stop();
        if (!double.IsFinite(batchLoss))
        {
            throw new NonFiniteLossException(Epoch, StepsDone + 1, batchLoss);
        }

        trainer.AddLastStepTo(train);
        StepsDone++;
        progress?.Report(new TrainingProgress(
            Epoch, StepsDone, trainer.StepsPerEpoch, train.MeanWeightedLoss(trainer.Options.Objective.Beta), train.MeanBce, train.MeanKld, clock.Elapsed,
            train.Images - (resumeFrom?.Images ?? 0), LearningRate));
    }

    /// <summary>
    /// Stops between two steps: waits for the device, then returns the exception that carries
    /// where the epoch stands, for the caller to save and throw.
    /// </summary>
    public TrainingInterruptedException Interrupt()
    {
        clock.Start();
        trainer.Model.Backend.Synchronize();
        clock.Stop();
        return new TrainingInterruptedException(new EpochPosition(Epoch, StepsDone, train.Bce, train.Kld, train.Images, EarlierSeconds + clock.Elapsed.TotalSeconds, train.Bound));
    }

    /// <summary>Evaluates the test set (and the validation set) once every step is finished: the epoch's metrics.</summary>
    public EpochMetrics Evaluate()
    {
        if (!AllStepsTaken)
        {
            throw new InvalidOperationException($"epoch {Epoch} has {trainer.StepsPerEpoch - StepsDone} steps left to take before it is evaluated");
        }

        clock.Start();
        trainer.Model.Backend.Synchronize();
        double trainSeconds = EarlierSeconds + clock.Elapsed.TotalSeconds;
        var (test, validation) = trainer.EvaluateHeldOut();
        clock.Stop();
        double beta = trainer.Options.Objective.Beta;
        return new EpochMetrics(
            Epoch, train.MeanWeightedLoss(beta), train.MeanBce, train.MeanKld, test.MeanWeightedLoss(beta), test.MeanBce, test.MeanKld,
            EarlierSeconds + clock.Elapsed.TotalSeconds, train.Images / trainSeconds,
            validation is null ? null : new HeldOutLosses(validation.MeanWeightedLoss(beta), validation.MeanBce, validation.MeanKld),
            LearningRate);
    }
}
