using System.Globalization;
using GpuVae.Kernels;

namespace GpuVae.Model;

/// <summary>
/// A run's saved state in one folder: model.safetensors holds the weights (names such as
/// encoder.hidden0.weight, shapes (in, out), y = x W + b) with the network's sizes in its
/// metadata; optimizer.safetensors holds Adam's moments (name.exp_avg, name.exp_avg_sq)
/// and the training position, with the unfinished epoch's progress after an interruption.
/// Each file is replaced atomically; both carry the epoch and step so a mismatched pair is
/// detected rather than resumed.
/// </summary>
public static class Checkpoint
{
    public const string ModelFileName = "model.safetensors";
    public const string OptimizerFileName = "optimizer.safetensors";
    private const string FormatName = "gpuvae-vae-1";

    /// <summary>Whether a run can be resumed from directory: weights and optimizer state.</summary>
    public static bool Exists(string directory) =>
        HasWeights(directory) && File.Exists(Path.Combine(directory, OptimizerFileName));

    /// <summary>Whether directory holds weights, all that drawing and evaluating need.</summary>
    public static bool HasWeights(string directory) => File.Exists(Path.Combine(directory, ModelFileName));

    public static void Save(string directory, Vae model, TrainingState state)
    {
        var position = new Dictionary<string, string>
        {
            ["format"] = FormatName,
            ["epoch"] = Text(state.CompletedEpochs),
            ["global_step"] = Text(state.GlobalStep),
        };
        var modelMetadata = new Dictionary<string, string>(position)
        {
            ["latent"] = Text(model.Config.Latent),
            ["hidden"] = Text(model.Config.Hidden),
            ["pixels"] = Text(model.Config.Pixels),
        };
        var optimizerMetadata = new Dictionary<string, string>(position)
        {
            ["seed"] = Text(state.Seed),
            ["batch_size"] = Text(state.BatchSize),
        };
        if (state.Partial is { } partial)
        {
            optimizerMetadata["partial_steps"] = Text(partial.StepsDone);
            optimizerMetadata["partial_images"] = Text(partial.Images);
            optimizerMetadata["partial_bce"] = partial.BceSum.ToString("R", CultureInfo.InvariantCulture);
            optimizerMetadata["partial_kld"] = partial.KldSum.ToString("R", CultureInfo.InvariantCulture);
            optimizerMetadata["partial_seconds"] = partial.Seconds.ToString("R", CultureInfo.InvariantCulture);
        }
        var weights = model.Parameters.Select(p => Entry(model.Backend, p.Name, p.Value)).ToList();
        var moments = model.Parameters.SelectMany(p => new[]
        {
            Entry(model.Backend, p.Name + ".exp_avg", p.FirstMoment),
            Entry(model.Backend, p.Name + ".exp_avg_sq", p.SecondMoment),
        }).ToList();

        // The optimizer file goes first: if the run dies between the two renames, the pair
        // disagrees on the epoch and resuming refuses instead of silently mixing epochs.
        SafeTensorsFile.Write(Path.Combine(directory, OptimizerFileName), moments, optimizerMetadata);
        SafeTensorsFile.Write(Path.Combine(directory, ModelFileName), weights, modelMetadata);
    }

    /// <summary>The network sizes a checkpoint was trained with.</summary>
    public static VaeConfig ReadConfig(string directory)
    {
        string path = Path.Combine(directory, ModelFileName);
        var (_, metadata) = Read(path);
        return new VaeConfig(Integer(path, metadata, "latent"), Integer(path, metadata, "hidden"), Integer(path, metadata, "pixels"));
    }

    /// <summary>Loads the weights into model, checking every name and shape.</summary>
    public static void LoadWeights(string directory, Vae model)
    {
        string path = Path.Combine(directory, ModelFileName);
        var (tensors, _) = Read(path);
        foreach (var parameter in model.Parameters)
        {
            Load(path, tensors, parameter.Name, parameter.Value, model.Backend);
        }
    }

    /// <summary>Loads weights and Adam moments, and returns where training stopped.</summary>
    public static TrainingState LoadForResume(string directory, Vae model)
    {
        string modelPath = Path.Combine(directory, ModelFileName);
        string optimizerPath = Path.Combine(directory, OptimizerFileName);
        var (_, modelMetadata) = Read(modelPath);
        var (moments, optimizerMetadata) = Read(optimizerPath);
        int completed = Integer(optimizerPath, optimizerMetadata, "epoch");
        var partial = optimizerMetadata.ContainsKey("partial_steps")
            ? new EpochPosition(
                completed + 1,
                Integer(optimizerPath, optimizerMetadata, "partial_steps"),
                Real(optimizerPath, optimizerMetadata, "partial_bce"),
                Real(optimizerPath, optimizerMetadata, "partial_kld"),
                Integer(optimizerPath, optimizerMetadata, "partial_images"),
                Real(optimizerPath, optimizerMetadata, "partial_seconds"))
            : null;
        var state = new TrainingState(
            completed,
            Integer(optimizerPath, optimizerMetadata, "global_step"),
            Integer(optimizerPath, optimizerMetadata, "seed"),
            Integer(optimizerPath, optimizerMetadata, "batch_size"),
            partial);
        if (Integer(modelPath, modelMetadata, "epoch") != state.CompletedEpochs || Integer(modelPath, modelMetadata, "global_step") != state.GlobalStep)
        {
            throw new CheckpointException(
                $"{optimizerPath}: the optimizer state (epoch {state.CompletedEpochs}) does not match the weights in {modelPath} (epoch {modelMetadata["epoch"]})");
        }

        LoadWeights(directory, model);
        foreach (var parameter in model.Parameters)
        {
            Load(optimizerPath, moments, parameter.Name + ".exp_avg", parameter.FirstMoment, model.Backend);
            Load(optimizerPath, moments, parameter.Name + ".exp_avg_sq", parameter.SecondMoment, model.Backend);
        }

        return state;
    }

    private static (Dictionary<string, SafeTensorsFile.Entry> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new CheckpointException($"{path}: no such checkpoint file");
        }

        var contents = SafeTensorsFile.Read(path);
        if (!contents.Metadata.TryGetValue("format", out string? format) || format != FormatName)
        {
            throw new CheckpointException($"{path}: not a GpuVae checkpoint (format {format ?? "missing"}, expected {FormatName})");
        }

        return contents;
    }

    private static void Load(string path, Dictionary<string, SafeTensorsFile.Entry> tensors, string name, Tensor destination, Backend backend)
    {
        if (!tensors.TryGetValue(name, out var entry))
        {
            throw new CheckpointException($"{path}: tensor {name} is missing");
        }

        if (entry.Shape.Length != 2 || entry.Shape[0] != destination.Rows || entry.Shape[1] != destination.Cols)
        {
            throw new CheckpointException(
                $"{path}: tensor {name} has shape ({string.Join(", ", entry.Shape)}), the model needs {destination}");
        }

        backend.Upload(destination, entry.Data);
    }

    private static int Integer(string path, Dictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out string? text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new CheckpointException($"{path}: metadata {key} is missing or not a non-negative integer");

    private static double Real(string path, Dictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out string? text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            ? value
            : throw new CheckpointException($"{path}: metadata {key} is missing or not a finite number");

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static SafeTensorsFile.Entry Entry(Backend backend, string name, Tensor tensor)
    {
        var data = new float[tensor.Length];
        backend.Download(tensor, data);
        return new SafeTensorsFile.Entry(name, [tensor.Rows, tensor.Cols], data);
    }
}
