using GpuVae.Model.Network;
using GpuVae.Model.Training;

namespace GpuVae.Model.Persistence;

/// <summary>
/// What a checkpoint records of how its run trains, and so what continuing it must keep: the
/// network, the seed and batch size, the objective, the learning-rate schedule and the
/// validation split. The command line and the API both build the state they save from it
/// (<see cref="State"/>) and compare a saved run with the one asked for through it
/// (<see cref="Differences"/>); each reports the differences in its own words.
/// </summary>
/// <param name="LearningRates">Null in checkpoints saved before the schedule was recorded: such a run is taken as it is.</param>
/// <param name="Validation">Null in checkpoints saved before the split was recorded: such a run is taken as it is.</param>
public sealed record RunRecord(VaeConfig Network, int Seed, int BatchSize, TrainingObjective Objective, LearningRateSchedule? LearningRates, int? Validation)
{
    /// <summary>The record of a run asked to train network with these options, holding out validation images.</summary>
    public static RunRecord Of(VaeConfig network, TrainingOptions training, int validation)
    {
        ArgumentNullException.ThrowIfNull(training);
        return new(network, training.Seed, training.BatchSize, training.Objective, training.LearningRates, validation);
    }

    /// <summary>The record of the run whose checkpoint (weights and optimizer state) directory holds; a <see cref="CheckpointException"/> when it holds none or a damaged one.</summary>
    public static RunRecord Read(string directory)
    {
        var network = Checkpoint.ReadConfig(directory);
        var state = Checkpoint.ReadState(directory);
        return new(network, state.Seed, state.BatchSize, state.Objective, state.LearningRates, state.Validation);
    }

    /// <summary>What a checkpoint of this run saves of where it stands and how it trains.</summary>
    public TrainingState State(int completedEpochs, long globalStep, EpochPosition? partial = null) =>
        new(completedEpochs, globalStep, Seed, BatchSize, partial) { Objective = Objective, Validation = Validation, LearningRates = LearningRates };

    /// <summary>
    /// The settings in which asked differs from this saved run, in <see cref="RunSetting"/>'s
    /// order; empty when asked continues it. What this record does not know (a schedule or split
    /// saved before they were recorded) differs from nothing.
    /// </summary>
    public IReadOnlyList<RunSetting> Differences(RunRecord asked)
    {
        ArgumentNullException.ThrowIfNull(asked);
        var differences = new List<RunSetting>();
        Add(Network.Kind != asked.Network.Kind, RunSetting.Kind);
        Add(Network.Latent != asked.Network.Latent || !Network.Encoder.SequenceEqual(asked.Network.Encoder) || !Network.Decoder.SequenceEqual(asked.Network.Decoder), RunSetting.Layers);
        Add(
            Network.Pixels != asked.Network.Pixels || Network.ImageRows != asked.Network.ImageRows || Network.ImageCols != asked.Network.ImageCols || Network.Classes != asked.Network.Classes,
            RunSetting.Images);
        Add(Network.Binarization != asked.Network.Binarization, RunSetting.Binarization);
        Add(Seed != asked.Seed, RunSetting.Seed);
        Add(BatchSize != asked.BatchSize, RunSetting.BatchSize);
        Add(Objective != asked.Objective, RunSetting.Objective);
        Add(LearningRates is { } rates && !rates.Equals(asked.LearningRates), RunSetting.LearningRates);
        Add(Validation is { } held && held != asked.Validation, RunSetting.Validation);
        return differences;

        void Add(bool differs, RunSetting setting)
        {
            if (differs)
            {
                differences.Add(setting);
            }
        }
    }
}
