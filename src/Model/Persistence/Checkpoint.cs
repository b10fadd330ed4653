using System.Globalization;
using System.Security.Cryptography;
using GpuVae.Kernels;
using GpuVae.Kernels.Operations;
using GpuVae.Model.Network;
using GpuVae.Model.Training;

namespace GpuVae.Model.Persistence;

/// <summary>
/// A run folder's saved state, one unit: model.safetensors holds the weights (names such as
/// encoder.hidden0.weight, shapes (in, out), y = x W + b) with the network's sizes in its
/// metadata; optimizer.safetensors holds Adam's moments (name.exp_avg, name.exp_avg_sq), the
/// training position (with the unfinished epoch's progress after an interruption), the
/// metrics rows and the sha256 of the weights file it belongs to; metrics.csv is those rows
/// for people and tools.
/// </summary>
/// <remarks>
/// A save is: (1) the weights to model.pending.safetensors, (2) optimizer.safetensors, the
/// commit point, (3) the pending weights renamed to model.safetensors, (4) metrics.csv; each
/// file is written to a temporary name and renamed. A kill between any two file operations
/// leaves the previous commit or this one: readers take the weights whose hash the optimizer
/// file names and its metrics rows, and <see cref="Recover"/> (run by every writer first)
/// finishes steps 3 and 4 and drops what an uncommitted save left behind.
/// </remarks>
public static class Checkpoint
{
    public const string ModelFileName = "model.safetensors";
    public const string OptimizerFileName = "optimizer.safetensors";
    public const string MetricsFileName = "metrics.csv";
    public const string PendingModelFileName = "model.pending.safetensors";
    public const string FormatName = "gpuvae-vae-1";
    private const string ModelHashKey = "model_sha256";
    private const string MetricsKey = "metrics";
    private const string BinarizeKey = "binarize";
    private const string ModelKey = "model";
    private const string ClassesKey = "classes";

    /// <summary>Whether a run can be resumed from directory: committed weights and optimizer state.</summary>
    public static bool Exists(string directory) =>
        File.Exists(Path.Combine(directory, OptimizerFileName)) && CommittedWeights(directory) is not null;

    /// <summary>Whether directory holds weights, all that drawing and evaluating need.</summary>
    public static bool HasWeights(string directory) => CommittedWeights(directory) is not null;

    /// <summary>Saves weights, moments, position and the metrics rows of the finished epochs as one commit.</summary>
    public static void Save(string directory, Vae model, TrainingState state, IReadOnlyList<EpochMetrics>? history = null)
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
            ["rows"] = Text(model.Config.ImageRows),
            ["cols"] = Text(model.Config.ImageCols),
            [BinarizeKey] = BinarizationName(model.Config.Binarization),
            [ModelKey] = ModelName(model.Config.Kind),
            [ClassesKey] = Text(model.Config.Classes),
        };
        var weights = SafeTensorsFile.Serialize(model.Parameters.Select(p => Entry(model.Backend, p.Name, p.Value)).ToList(), modelMetadata);
        string metrics = MetricsCsv.Text(history ?? []);
        var optimizerMetadata = new Dictionary<string, string>(position)
        {
            ["seed"] = Text(state.Seed),
            ["batch_size"] = Text(state.BatchSize),
            ["objective"] = state.Objective.Name,
            ["beta"] = state.Objective.Beta.ToString("R", CultureInfo.InvariantCulture),
            ["k"] = Text(state.Objective.Samples),
            [ModelHashKey] = Sha256(weights),
            [MetricsKey] = metrics,
        };
        if (state.Validation is { } validation)
        {
            optimizerMetadata["validation"] = Text(validation);
        }

        if (state.Partial is { } partial)
        {
            optimizerMetadata["partial_steps"] = Text(partial.StepsDone);
            optimizerMetadata["partial_images"] = Text(partial.Images);
            optimizerMetadata["partial_bce"] = partial.BceSum.ToString("R", CultureInfo.InvariantCulture);
            optimizerMetadata["partial_kld"] = partial.KldSum.ToString("R", CultureInfo.InvariantCulture);
            optimizerMetadata["partial_seconds"] = partial.Seconds.ToString("R", CultureInfo.InvariantCulture);
            if (partial.BoundSum is { } bound)
            {
                optimizerMetadata["partial_bound"] = bound.ToString("R", CultureInfo.InvariantCulture);
            }
        }
        var moments = model.Parameters.SelectMany(p => new[]
        {
            Entry(model.Backend, p.Name + ".exp_avg", p.FirstMoment),
            Entry(model.Backend, p.Name + ".exp_avg_sq", p.SecondMoment),
        }).ToList();

        AtomicFile.WriteAllBytes(Path.Combine(directory, PendingModelFileName), weights);
        SafeTensorsFile.Write(Path.Combine(directory, OptimizerFileName), moments, optimizerMetadata);
        FileOperations.Move(Path.Combine(directory, PendingModelFileName), Path.Combine(directory, ModelFileName));
        AtomicFile.WriteAllText(Path.Combine(directory, MetricsFileName), metrics);
    }

    /// <summary>
    /// Finishes a save that a kill cut short after its commit (the weights renamed into place,
    /// metrics.csv rewritten from the committed rows) and deletes what an uncommitted save and
    /// interrupted atomic writes left. Writers call it before anything else; readers need not.
    /// </summary>
    public static void Recover(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        string pending = Path.Combine(directory, PendingModelFileName);
        string? weights = CommittedWeights(directory);
        if (weights == pending)
        {
            FileOperations.Move(pending, Path.Combine(directory, ModelFileName));
        }
        else if (File.Exists(pending))
        {
            File.Delete(pending);
        }

        string optimizer = Path.Combine(directory, OptimizerFileName);
        string metrics = Path.Combine(directory, MetricsFileName);
        if (File.Exists(optimizer) && Read(optimizer).Metadata.TryGetValue(MetricsKey, out string? committed)
            && (!File.Exists(metrics) || File.ReadAllText(metrics) != committed))
        {
            AtomicFile.WriteAllText(metrics, committed);
        }

        foreach (string name in new[] { ModelFileName, PendingModelFileName, OptimizerFileName, MetricsFileName })
        {
            foreach (string leftover in Directory.GetFiles(directory, AtomicFile.TemporaryNamePattern(name)))
            {
                File.Delete(leftover);
            }
        }
    }

    /// <summary>
    /// The metrics rows of the folder's last commit; metrics.csv where the folder holds no
    /// optimizer state that carries them (results kept without it, or a checkpoint saved
    /// before commits carried them); none where neither exists.
    /// </summary>
    public static IReadOnlyList<EpochMetrics> ReadMetrics(string directory)
    {
        string optimizer = Path.Combine(directory, OptimizerFileName);
        if (File.Exists(optimizer) && Read(optimizer).Metadata.TryGetValue(MetricsKey, out string? committed))
        {
            return MetricsCsv.Parse($"{optimizer}, metadata {MetricsKey}", committed);
        }

        string metrics = Path.Combine(directory, MetricsFileName);
        return File.Exists(metrics) ? MetricsCsv.Read(metrics) : [];
    }

    /// <summary>The sha256 (lowercase hex) of the committed weights file: what results computed from the weights are keyed on.</summary>
    public static string WeightsSha256(string directory) => Sha256(File.ReadAllBytes(WeightsPath(directory)));

    /// <summary>
    /// The network sizes, image shape, binarization and model kind a checkpoint was trained with.
    /// Checkpoints saved before they recorded the image shape and binarization were MNIST's 28x28
    /// grey pixels (the defaults of <see cref="VaeConfig"/>), and those saved before they recorded
    /// the model kind plain VAEs.
    /// </summary>
    public static VaeConfig ReadConfig(string directory)
    {
        string path = WeightsPath(directory);
        var (_, metadata) = Read(path);
        string binarize = metadata.GetValueOrDefault(BinarizeKey, BinarizationName(Binarization.None));
        var binarization = Enum.GetValues<Binarization>().Where(b => BinarizationName(b) == binarize).Cast<Binarization?>().FirstOrDefault()
            ?? throw new CheckpointException($"{path}: metadata {BinarizeKey} is '{binarize}', expected none or dynamic");
        string modelName = metadata.GetValueOrDefault(ModelKey, ModelName(ModelKind.Vae));
        var kind = Enum.GetValues<ModelKind>().Where(k => ModelName(k) == modelName).Cast<ModelKind?>().FirstOrDefault()
            ?? throw new CheckpointException($"{path}: metadata {ModelKey} is '{modelName}', expected vae or cvae");
        int classes = kind == ModelKind.Cvae ? Integer(path, metadata, ClassesKey) : 0;
        if (kind == ModelKind.Cvae && classes == 0)
        {
            throw new CheckpointException($"{path}: metadata {ClassesKey} of a cvae must be at least 1");
        }

        var config = new VaeConfig(Integer(path, metadata, "latent"), Integer(path, metadata, "hidden"), Integer(path, metadata, "pixels"))
        {
            Binarization = binarization,
            Kind = kind,
            Classes = classes,
        };
        if (!metadata.ContainsKey("rows") && !metadata.ContainsKey("cols"))
        {
            return config;
        }

        int rows = Integer(path, metadata, "rows"), cols = Integer(path, metadata, "cols");
        return (long)rows * cols == config.Pixels
            ? config with { ImageRows = rows, ImageCols = cols }
            : throw new CheckpointException($"{path}: metadata rows {rows} x cols {cols} is not its {config.Pixels} pixels");
    }

    /// <summary>The command line's and the metadata's name of a binarization: none, dynamic.</summary>
    public static string BinarizationName(Binarization binarization) => binarization.ToString().ToLowerInvariant();

    /// <summary>The command line's and the metadata's name of a model kind: vae, cvae.</summary>
    public static string ModelName(ModelKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>Loads the weights into model, checking every name, shape and value.</summary>
    public static void LoadWeights(string directory, Vae model)
    {
        string path = WeightsPath(directory);
        var (tensors, _) = Read(path);
        foreach (var parameter in model.Parameters)
        {
            Load(path, tensors, parameter.Name, parameter.Value, model.Backend);
        }
    }

    /// <summary>Loads weights and Adam moments, and returns where training stopped.</summary>
    public static TrainingState LoadForResume(string directory, Vae model)
    {
        string modelPath = WeightsPath(directory);
        string optimizerPath = Path.Combine(directory, OptimizerFileName);
        var (_, modelMetadata) = Read(modelPath);
        var (moments, optimizerMetadata) = Read(optimizerPath);
        var state = State(optimizerPath, optimizerMetadata);
        if (Integer(modelPath, modelMetadata, "epoch") != state.CompletedEpochs || Integer(modelPath, modelMetadata, "global_step") != state.GlobalStep)
        {
            throw Mismatch(optimizerPath, state.CompletedEpochs, modelPath, $"epoch {modelMetadata["epoch"]}");
        }

        LoadWeights(directory, model);
        foreach (var parameter in model.Parameters)
        {
            Load(optimizerPath, moments, parameter.Name + ".exp_avg", parameter.FirstMoment, model.Backend);
            Load(optimizerPath, moments, parameter.Name + ".exp_avg_sq", parameter.SecondMoment, model.Backend);
        }

        return state;
    }

    /// <summary>Where training stopped and how it was trained, from the committed optimizer file, loading no weights.</summary>
    public static TrainingState ReadState(string directory)
    {
        string optimizerPath = Path.Combine(directory, OptimizerFileName);
        var (_, metadata) = Read(optimizerPath);
        return State(optimizerPath, metadata);
    }

    private static TrainingState State(string optimizerPath, Dictionary<string, string> optimizerMetadata)
    {
        int completed = Integer(optimizerPath, optimizerMetadata, "epoch");
        var partial = optimizerMetadata.ContainsKey("partial_steps")
            ? new EpochPosition(
                completed + 1,
                Integer(optimizerPath, optimizerMetadata, "partial_steps"),
                Real(optimizerPath, optimizerMetadata, "partial_bce"),
                Real(optimizerPath, optimizerMetadata, "partial_kld"),
                Integer(optimizerPath, optimizerMetadata, "partial_images"),
                Real(optimizerPath, optimizerMetadata, "partial_seconds"),
                optimizerMetadata.ContainsKey("partial_bound") ? Real(optimizerPath, optimizerMetadata, "partial_bound") : null)
            : null;
        var state = new TrainingState(
            completed,
            Integer(optimizerPath, optimizerMetadata, "global_step"),
            Integer(optimizerPath, optimizerMetadata, "seed"),
            Integer(optimizerPath, optimizerMetadata, "batch_size"),
            partial)
        {
            Objective = ReadObjective(optimizerPath, optimizerMetadata),
            Validation = optimizerMetadata.ContainsKey("validation") ? Integer(optimizerPath, optimizerMetadata, "validation") : null,
        };
        return state;
    }

    private static string WeightsPath(string directory) =>
        CommittedWeights(directory) ?? throw new CheckpointException($"{Path.Combine(directory, ModelFileName)}: no such checkpoint file");

    /// <summary>
    /// The weights file the folder's last commit names: model.safetensors, or the pending file
    /// when a kill came between the commit and its rename; null when there are no weights.
    /// Without optimizer state (weights kept alone, or a first save cut short before its
    /// commit) it is model.safetensors if present; so it is for optimizer files saved before
    /// they named their weights, whose pair LoadForResume checks by epoch.
    /// </summary>
    private static string? CommittedWeights(string directory)
    {
        string model = Path.Combine(directory, ModelFileName);
        string optimizer = Path.Combine(directory, OptimizerFileName);
        if (!File.Exists(optimizer))
        {
            return File.Exists(model) ? model : null;
        }

        var (_, metadata) = Read(optimizer);
        if (!metadata.TryGetValue(ModelHashKey, out string? hash))
        {
            return File.Exists(model) ? model : null;
        }

        foreach (string candidate in new[] { model, Path.Combine(directory, PendingModelFileName) })
        {
            if (File.Exists(candidate) && Sha256(File.ReadAllBytes(candidate)) == hash)
            {
                return candidate;
            }
        }

        throw Mismatch(optimizer, Integer(optimizer, metadata, "epoch"), model, $"sha256 {hash}, not found");
    }

    private static CheckpointException Mismatch(string optimizer, int epoch, string model, string weights) =>
        new($"{optimizer}: the optimizer state (epoch {epoch}) does not match the weights in {model} ({weights})");

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

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

        // A NaN or infinity would flow silently into every loss and picture made from it.
        int bad = Array.FindIndex(entry.Data, value => !float.IsFinite(value));
        if (bad >= 0)
        {
            throw new CheckpointException(
                $"{path}: tensor {name} holds {entry.Data[bad].ToString(CultureInfo.InvariantCulture)} at element {bad} (row {bad / destination.Cols}, column {bad % destination.Cols}); a checkpoint must hold finite numbers");
        }

        backend.Upload(destination, entry.Data);
    }

    private static int Integer(string path, Dictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out string? text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new CheckpointException($"{path}: metadata {key} is missing or not a non-negative integer");

    /// <summary>The objective keys; a checkpoint from before they existed trained the ELBO with beta 1.</summary>
    private static TrainingObjective ReadObjective(string path, Dictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue("objective", out string? name))
        {
            return TrainingObjective.Elbo;
        }

        if (name is not ("elbo" or "iwae")
            || !metadata.TryGetValue("beta", out string? betaText)
            || !float.TryParse(betaText, NumberStyles.Float, CultureInfo.InvariantCulture, out float beta)
            || !float.IsFinite(beta))
        {
            throw new CheckpointException($"{path}: metadata objective \"{name}\" or its beta is not one this version reads");
        }

        return new TrainingObjective(beta, name == "iwae", Integer(path, metadata, "k"));
    }

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
