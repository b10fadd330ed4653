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

    /// <summary>Whether a run can be resumed from directory: committed weights and optimizer state.</summary>
    public static bool Exists(string directory) =>
        File.Exists(Path.Combine(directory, OptimizerFileName)) && CommittedWeights(directory) is not null;

    /// <summary>Whether directory holds weights, all that drawing and evaluating need.</summary>
    public static bool HasWeights(string directory) => CommittedWeights(directory) is not null;

    /// <summary>Saves weights, moments, position and the metrics rows of the finished epochs as one commit.</summary>
    public static void Save(string directory, Vae model, TrainingState state, IReadOnlyList<EpochMetrics>? history = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        string pending = Path.Combine(directory, PendingModelFileName);
        SafeTensorsFile.Write(pending, [.. model.Parameters.Select(p => Source(model.Backend, p.Name, p.Value))], CheckpointMetadata.Model(model.Config, state));
        string metrics = MetricsCsv.Text(history ?? []);
        var optimizerMetadata = CheckpointMetadata.Optimizer(state, FileSha256(pending), metrics);
        var moments = model.Parameters.SelectMany(p => new[]
        {
            Source(model.Backend, p.Name + ".exp_avg", p.FirstMoment),
            Source(model.Backend, p.Name + ".exp_avg_sq", p.SecondMoment),
        }).ToList();

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
        if (File.Exists(optimizer) && Read(optimizer).Metadata.TryGetValue(CheckpointMetadata.MetricsKey, out string? committed)
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
        if (File.Exists(optimizer) && Read(optimizer).Metadata.TryGetValue(CheckpointMetadata.MetricsKey, out string? committed))
        {
            return MetricsCsv.Parse($"{optimizer}, metadata {CheckpointMetadata.MetricsKey}", committed);
        }

        string metrics = Path.Combine(directory, MetricsFileName);
        return File.Exists(metrics) ? MetricsCsv.Read(metrics) : [];
    }

    /// <summary>The sha256 (lowercase hex) of the committed weights file: what results computed from the weights are keyed on.</summary>
    public static string WeightsSha256(string directory) => FileSha256(WeightsPath(directory));

    /// <summary>
    /// The network a checkpoint was trained with (<see cref="CheckpointMetadata.Config"/>), its
    /// recorded layers checked against the weights it holds: a layer list that names other
    /// tensors or other shapes than the file's is refused, naming the metadata key.
    /// </summary>
    public static VaeConfig ReadConfig(string directory)
    {
        string path = WeightsPath(directory);
        var (tensors, metadata) = Read(path);
        var config = CheckpointMetadata.Config(path, metadata);
        NetworkSpec spec;
        try
        {
            config.Validate();
            spec = config.Layers;
        }
        catch (ArgumentException e)
        {
            throw new CheckpointException($"{path}: its metadata describes no network this version builds: {e.Message}");
        }

        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in spec.All)
        {
            string key = CheckpointMetadata.KeyOf(spec, layer, metadata[CheckpointMetadata.FormatKey]);
            foreach (var (name, rows, cols, _) in DenseLayer.Shapes(layer.Name, layer.Inputs, layer.Outputs, layer.Labels))
            {
                expected.Add(name);
                if (!tensors.TryGetValue(name, out var entry))
                {
                    throw new CheckpointException($"{path}: metadata {key} is '{metadata.GetValueOrDefault(key)}', but tensor {name} of its layer is missing");
                }

                if (entry.Shape.Length != 2 || entry.Shape[0] != rows || entry.Shape[1] != cols)
                {
                    throw new CheckpointException(
                        $"{path}: metadata {key} is '{metadata.GetValueOrDefault(key)}', which makes tensor {name} ({rows}, {cols}), but the file's is ({string.Join(", ", entry.Shape)})");
                }
            }
        }

        string? extra = tensors.Keys.Order(StringComparer.Ordinal).FirstOrDefault(name => !expected.Contains(name));
        return extra is null
            ? config
            : throw new CheckpointException(
                $"{path}: tensor {extra} belongs to no layer of metadata {CheckpointMetadata.EncoderKey} '{HiddenSpecs.Format(config.Encoder)}' and {CheckpointMetadata.DecoderKey} '{HiddenSpecs.Format(config.Decoder)}'");
    }

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
        var state = CheckpointMetadata.State(optimizerPath, optimizerMetadata);
        if (CheckpointMetadata.Integer(modelPath, modelMetadata, CheckpointMetadata.EpochKey) != state.CompletedEpochs
            || CheckpointMetadata.Integer(modelPath, modelMetadata, CheckpointMetadata.GlobalStepKey) != state.GlobalStep)
        {
            throw Mismatch(optimizerPath, state.CompletedEpochs, modelPath, $"{CheckpointMetadata.EpochKey} {modelMetadata[CheckpointMetadata.EpochKey]}");
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
        return CheckpointMetadata.State(optimizerPath, metadata);
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
        if (!metadata.TryGetValue(CheckpointMetadata.ModelHashKey, out string? hash))
        {
            return File.Exists(model) ? model : null;
        }

        foreach (string candidate in new[] { model, Path.Combine(directory, PendingModelFileName) })
        {
            if (File.Exists(candidate) && FileSha256(candidate) == hash)
            {
                return candidate;
            }
        }

        throw Mismatch(optimizer, CheckpointMetadata.Integer(optimizer, metadata, CheckpointMetadata.EpochKey), model, $"sha256 {hash}, not found");
    }

    private static CheckpointException Mismatch(string optimizer, int epoch, string model, string weights) =>
        new($"{optimizer}: the optimizer state (epoch {epoch}) does not match the weights in {model} ({weights})");

    /// <summary>The file's SHA-256 read through a stream: the file is never held in memory whole.</summary>
    private static string FileSha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }

    private static (Dictionary<string, SafeTensorsFile.Entry> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new CheckpointException($"{path}: no such checkpoint file");
        }

        var contents = SafeTensorsFile.Read(path);
        string? format = contents.Metadata.GetValueOrDefault(CheckpointMetadata.FormatKey);
        if (!CheckpointMetadata.IsReadable(format))
        {
            throw new CheckpointException(
                $"{path}: not a GpuVae checkpoint (format {format ?? "missing"}, expected {CheckpointMetadata.Format} or {CheckpointMetadata.FormatVersion1})");
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

    private static SafeTensorsFile.Source Source(Backend backend, string name, Tensor tensor) =>
        new(name, [tensor.Rows, tensor.Cols], values => backend.Download(tensor, values));
}
