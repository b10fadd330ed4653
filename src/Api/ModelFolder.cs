using System.Globalization;
using GpuVae.Kernels;
using GpuVae.Model.Evaluation;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Model.Training;

namespace GpuVae;

/// <summary>
/// The one place the facade touches <see cref="Checkpoint"/> and <see cref="VaeConfig"/>: a
/// checkpoint folder's config, weights and training state, and the network and objective that
/// <see cref="VaeTrainingOptions"/> ask for. When their shapes change, this file changes.
/// Checkpoint faults become <see cref="InvalidDataException"/>s with the checkpoint's own
/// message, which names the file and what is wrong.
/// </summary>
internal static class ModelFolder
{
    /// <summary>A folder that must exist: DirectoryNotFoundException naming the argument otherwise.</summary>
    public static string Existing(string folder, string parameter)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder, parameter);
        return Directory.Exists(folder)
            ? folder
            : throw new DirectoryNotFoundException($"{parameter}: the folder '{folder}' does not exist");
    }

    /// <summary>A saved model's network, read from its weights file's metadata.</summary>
    public static VaeConfig ReadNetwork(string folder)
    {
        if (!Checkpoint.HasWeights(folder))
        {
            throw new FileNotFoundException($"{folder} holds no {Checkpoint.ModelFileName}: not a trained model's folder", Path.Combine(folder, Checkpoint.ModelFileName));
        }

        return Guard(() => Checkpoint.ReadConfig(folder));
    }

    /// <summary>A model on backend with the folder's weights; the caller owns it.</summary>
    public static Vae LoadModel(string folder, VaeConfig network, Backend backend)
    {
        var model = new Vae(backend, network);
        try
        {
            Guard(() => Checkpoint.LoadWeights(folder, model));
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The user's view of a network.</summary>
    public static VaeModelConfig Describe(VaeConfig network) =>
        new(network.Latent, HiddenSpecs.Format(network.Encoder), HiddenSpecs.Format(network.Decoder), network.Pixels, network.ImageRows, network.ImageCols, network.Classes, network.Binarization == Binarization.Dynamic);

    /// <summary>The network options ask for on images of rows x cols, with C classes (0 for the plain VAE).</summary>
    public static VaeConfig Network(VaeTrainingOptions options, int rows, int cols, int classes) =>
        new(options.Latent, options.Hidden, rows * cols)
        {
            Encoder = Layers(options.Encoder, nameof(options.Encoder)) ?? HiddenSpecs.DefaultEncoder(options.Hidden),
            Decoder = Layers(options.Decoder, nameof(options.Decoder)) ?? HiddenSpecs.DefaultDecoder(options.Hidden),
            ImageRows = rows,
            ImageCols = cols,
            Binarization = options.DynamicBinarization ? Binarization.Dynamic : Binarization.None,
            Kind = options.Conditional ? ModelKind.Cvae : ModelKind.Vae,
            Classes = options.Conditional ? classes : 0,
        };

    /// <summary>The model's training settings, as the command line's TrainingArguments makes them.</summary>
    public static TrainingOptions Training(VaeTrainingOptions options) => new()
    {
        Epochs = options.Epochs,
        BatchSize = options.BatchSize,
        LearningRates = Schedule(options),
        KeepProbability = options.KeepProbability,
        Seed = options.Seed,
        InputNoise = options.InputNoise,
        Objective = options.ImportanceSamples is { } k ? new TrainingObjective(1, ImportanceWeighted: true, k) : new TrainingObjective(options.Beta),
        CaptureGraph = options.CaptureGraph,
    };

    /// <summary>The test (or validation) images a network is evaluated on: binarized once when it trains binarized.</summary>
    public static float[] Evaluated(VaeConfig network, float[] images) => BinarizedTestSet.For(network, images);

    /// <summary>Finishes or drops what an interrupted save left, and makes the folder.</summary>
    public static void Prepare(string folder)
    {
        Guard(() => Checkpoint.Recover(folder));
        Directory.CreateDirectory(folder);
    }

    /// <summary>Whether the folder holds a run that can be continued.</summary>
    public static bool CanResume(string folder) => Checkpoint.Exists(folder);

    /// <summary>
    /// An InvalidOperationException, before anything is written, when training would replace the
    /// model the folder holds: neither Resume nor Overwrite set, or Resume where the weights are
    /// kept without the optimizer state that continuing needs. It names the folder, how far its
    /// run got and the ways out.
    /// </summary>
    public static void RefuseReplacing(string folder, bool resume, bool overwrite, int epochs)
    {
        if (overwrite || Guard(() => RunProgress.Read(folder)) is not { } progress)
        {
            return;
        }

        if (!progress.Resumable)
        {
            throw new InvalidOperationException(
                $"{folder} holds a model trained {progress} (of Epochs {epochs}) without the optimizer state that Resume needs: set Overwrite to replace it, or train into another folder");
        }

        if (!resume)
        {
            throw new InvalidOperationException(
                $"{folder} holds a run trained {progress} (of Epochs {epochs}): set Resume to continue it, Overwrite to replace it, or train into another folder");
        }
    }

    /// <summary>What a checkpoint of a run of network trained with these options records of how it trains.</summary>
    public static RunRecord Record(VaeConfig network, TrainingOptions training, int validation) => RunRecord.Of(network, training, validation);

    /// <summary>
    /// Loads weights and Adam's moments for a resumed run after checking that it was trained as
    /// asked (<see cref="RunRecord.Differences"/>); returns where it stopped and the reports of its finished epochs.
    /// </summary>
    public static (TrainingState State, List<EpochMetrics> History) Resume(string folder, Vae model, RunRecord asked)
    {
        var saved = Guard(() => RunRecord.Read(folder));
        var differences = saved.Differences(asked);
        if (differences.Count > 0)
        {
            throw new InvalidOperationException(
                $"cannot resume {folder}: it was trained with {Properties(differences, saved)}, not {Properties(differences, asked)}; pass the same options to continue it, or set Overwrite to replace it");
        }

        var loaded = Guard(() => Checkpoint.LoadForResume(folder, model));
        var history = Guard(() => Checkpoint.ReadMetrics(folder)).Where(m => m.Epoch <= loaded.CompletedEpochs).ToList();
        return (loaded, history);
    }

    /// <summary>Saves weights, moments and position as one commit; partial is where an interrupted epoch stopped.</summary>
    public static void Save(string folder, Vae model, RunRecord record, int completedEpochs, long globalStep, IReadOnlyList<EpochMetrics> history, EpochPosition? partial = null) =>
        Checkpoint.Save(folder, model, record.State(completedEpochs, globalStep, partial), history);

    /// <summary>These settings of a run as <see cref="VaeTrainingOptions"/>' properties would give them.</summary>
    private static string Properties(IEnumerable<RunSetting> settings, RunRecord run) =>
        string.Join(", ", settings.Select(setting => setting switch
        {
            RunSetting.Kind => $"Conditional {Flag(run.Network.Kind == ModelKind.Cvae)}",
            RunSetting.Layers => $"Latent {run.Network.Latent}, Encoder {HiddenSpecs.Format(run.Network.Encoder)}, Decoder {HiddenSpecs.Format(run.Network.Decoder)}",
            RunSetting.Images => $"{run.Network.ImageRows}x{run.Network.ImageCols} images" + (run.Network.Classes > 0 ? $" of {run.Network.Classes} classes" : string.Empty),
            RunSetting.Binarization => $"DynamicBinarization {Flag(run.Network.Binarization == Binarization.Dynamic)}",
            RunSetting.Seed => $"Seed {run.Seed}",
            RunSetting.BatchSize => $"BatchSize {run.BatchSize}",
            RunSetting.Objective => run.Objective.ImportanceWeighted ? $"ImportanceSamples {run.Objective.Samples}" : $"Beta {run.Objective.Beta.ToString("R", CultureInfo.InvariantCulture)}",
            RunSetting.LearningRates => run.LearningRates is { IsConstant: true } rate ? $"LearningRate {rate}" : $"LearningRateSchedule {run.LearningRates}",
            RunSetting.Validation => $"Validation {run.Validation}",
            _ => throw new ArgumentOutOfRangeException(nameof(settings), setting, "a run setting nobody named"),
        }));

    private static string Flag(bool value) => value ? "true" : "false";

    /// <summary>The layers a width:activation list gives; null for none; an ArgumentException naming the property when malformed.</summary>
    private static IReadOnlyList<HiddenSpec>? Layers(string? text, string property) =>
        text is null ? null : HiddenSpecs.TryParse(text, out string error) ?? throw new ArgumentException($"options.{property}: {error}", "options");

    private static LearningRateSchedule Schedule(VaeTrainingOptions options)
    {
        if (options.LearningRateSchedule is not { } text)
        {
            return LearningRateSchedule.Constant(options.LearningRate);
        }

        try
        {
            return LearningRateSchedule.Parse(text);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"options.{nameof(options.LearningRateSchedule)}: {e.Message}", "options", e);
        }
    }

    private static T Guard<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (CheckpointException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }

    private static void Guard(Action read) => Guard(() =>
    {
        read();
        return 0;
    });
}
