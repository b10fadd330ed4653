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
        new(network.Latent, network.Hidden, network.Pixels, network.ImageRows, network.ImageCols, network.Classes, network.Binarization == Binarization.Dynamic);

    /// <summary>The network options ask for on images of rows x cols, with C classes (0 for the plain VAE).</summary>
    public static VaeConfig Network(VaeTrainingOptions options, int rows, int cols, int classes) =>
        new(options.Latent, options.Hidden, rows * cols)
        {
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
        LearningRate = options.LearningRate,
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
    /// Loads weights and Adam's moments for a resumed run after checking that it was trained as
    /// asked (network, seed, batch size, objective, validation split); returns where it stopped
    /// and the reports of its finished epochs.
    /// </summary>
    public static (TrainingState State, List<EpochMetrics> History) Resume(string folder, Vae model, TrainingOptions training, int validation)
    {
        var saved = Guard(() => Checkpoint.ReadConfig(folder));
        var state = Guard(() => Checkpoint.ReadState(folder));
        string? mismatch =
            saved != model.Config ? $"its network ({Summary(saved)}) is not the one asked for ({Summary(model.Config)})"
            : state.Seed != training.Seed || state.BatchSize != training.BatchSize ? $"it was trained with Seed {state.Seed} and BatchSize {state.BatchSize}"
            : state.Objective != training.Objective ? $"it was trained with {state.Objective}"
            : state.Validation is { } held && held != validation ? $"it was trained with Validation {held}"
            : null;
        if (mismatch is not null)
        {
            throw new InvalidOperationException($"cannot resume {folder}: {mismatch}; pass the same options to continue it, or set Resume false to start afresh");
        }

        var loaded = Guard(() => Checkpoint.LoadForResume(folder, model));
        var history = Guard(() => Checkpoint.ReadMetrics(folder)).Where(m => m.Epoch <= loaded.CompletedEpochs).ToList();
        return (loaded, history);
    }

    /// <summary>Saves weights, moments and position as one commit; partial is where an interrupted epoch stopped.</summary>
    public static void Save(string folder, Vae model, int completedEpochs, long globalStep, TrainingOptions training, int validation, IReadOnlyList<EpochMetrics> history, EpochPosition? partial = null) =>
        Checkpoint.Save(folder, model, new TrainingState(completedEpochs, globalStep, training.Seed, training.BatchSize, partial) { Objective = training.Objective, Validation = validation }, history);

    private static string Summary(VaeConfig network) =>
        $"{Checkpoint.ModelName(network.Kind)}, Latent {network.Latent}, Hidden {network.Hidden}, {network.ImageRows}x{network.ImageCols} images, binarize {Checkpoint.BinarizationName(network.Binarization)}";

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
