using System.Globalization;
using GpuVae.Model.Training;

namespace GpuVae.Model.Persistence;

/// <summary>
/// How far the run a folder holds got, for refusing to replace it by accident: a trainer that
/// was asked neither to continue the run nor to replace it names this and stops.
/// </summary>
/// <param name="CompletedEpochs">Epochs the last commit holds: from the optimizer state, or metrics.csv's rows for weights kept alone.</param>
/// <param name="Partial">Where an interrupted epoch stopped; null after a whole epoch.</param>
/// <param name="Resumable">Whether the folder holds the optimizer state that continuing needs, not the weights alone.</param>
public sealed record RunProgress(int CompletedEpochs, EpochPosition? Partial, bool Resumable)
{
    /// <summary>
    /// The progress of the model directory holds; null when it holds none (no committed weights).
    /// Reads only the commit, so it may run before <see cref="Checkpoint.Recover"/>: nothing is written.
    /// </summary>
    public static RunProgress? Read(string directory)
    {
        if (!Directory.Exists(directory) || !Checkpoint.HasWeights(directory))
        {
            return null;
        }

        if (!Checkpoint.Exists(directory))
        {
            return new RunProgress(Checkpoint.ReadMetrics(directory).Count, null, Resumable: false);
        }

        var state = Checkpoint.ReadState(directory);
        return new RunProgress(state.CompletedEpochs, state.Partial, Resumable: true);
    }

    /// <summary>"20 epochs", or "3 epochs and 40 steps of epoch 4" for an interrupted one.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{CompletedEpochs} epoch{(CompletedEpochs == 1 ? string.Empty : "s")}")
        + (Partial is { } partial ? string.Create(CultureInfo.InvariantCulture, $" and {partial.StepsDone} steps of epoch {partial.Epoch}") : string.Empty);
}
