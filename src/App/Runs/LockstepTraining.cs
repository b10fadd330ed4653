using GpuVae.Model.Training;

namespace GpuVae.App.Runs;

/// <summary>
/// Trains several dims side by side, a step of each at a time: every dim's step is begun (its
/// values staged, its work or graph put on its backend's stream) before any is waited for, then
/// every one is finished (its losses read). On CUDA, where each dim has a stream of its own
/// (<see cref="Kernels.ConcurrentBackends"/>), the dims' steps run on the GPU at once; on the
/// host and ILGPU's CPU accelerator each step is done as it is begun, so the dims run one after
/// another within each step and train exactly the bits they train alone: the random streams,
/// shuffles and Adam counts are each dim's own.
/// Each dim carries its own epoch and step (a sweep may resume one mid-epoch beside another at
/// the start of one); a dim whose epoch's steps are done commits it, metrics row and checkpoint,
/// and starts its next while the others go on. One dim alone is `train`.
/// </summary>
public static class LockstepTraining
{
    /// <summary>
    /// Trains every dim to its last epoch. Ctrl-C stops between two steps and saves every dim
    /// still training where it stands, so --resume continues each exactly; then throws.
    /// </summary>
    public static void Train(IReadOnlyList<DimensionTraining> dims, TextWriter log, bool interactive, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(dims);
        ArgumentNullException.ThrowIfNull(log);
        bool several = dims.Count > 1;
        log.WriteLine(several ? EpochLine.DimHeader : EpochLine.Header);
        // One bar, the first dim's still training: several redrawing one line would flicker.
        var progress = dims.ToDictionary(dim => dim, dim => new ProgressBar(log, interactive, several ? $"dim {dim.Latent} " : string.Empty));
        var training = dims.Where(dim => !dim.Finished).ToList();
        while (training.Count > 0)
        {
            foreach (var dim in training)
            {
                if (dim.Current is null)
                {
                    dim.StartEpoch();
                }
            }

            if (cancellation.IsCancellationRequested)
            {
                throw SaveInterrupted(training);
            }

            foreach (var dim in training)
            {
                if (!dim.Current!.AllStepsTaken)
                {
                    dim.Current.BeginStep();
                }
            }

            foreach (var dim in training)
            {
                if (!dim.Current!.AllStepsTaken)
                {
                    dim.Current.FinishStep(dim == training[0] ? progress[dim] : null);
                }
            }

            foreach (var dim in training)
            {
                if (dim.Current!.AllStepsTaken)
                {
                    var metrics = dim.CommitEpoch();
                    string line = EpochLine.Format(metrics, dim.Settings.Training.Epochs, dim.Trainer.StepsPerEpoch, dim.Settings.Training.BatchSize);
                    log.WriteLine(several ? EpochLine.ForDim(dim.Latent, line) : line);
                    if (dim.TakeGraphStatus() is { } status)
                    {
                        log.WriteLine(several ? $"dim {dim.Latent} {status}" : status);
                    }
                }
            }

            training.RemoveAll(dim => dim.Finished);
        }
    }

    /// <summary>Saves every dim still training where it stands; the first one's exception is the one to throw.</summary>
    private static TrainingInterruptedException SaveInterrupted(List<DimensionTraining> training)
    {
        TrainingInterruptedException? first = null;
        foreach (var dim in training)
        {
            var interrupted = dim.SaveInterrupted();
            first ??= interrupted;
        }

        return first!;
    }
}
