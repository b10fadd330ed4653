using System.Globalization;
using GpuVae.Model.Network;
using GpuVae.Model.Training;

namespace GpuVae.Model.Persistence;

/// <summary>
/// The metadata schema of a checkpoint's two safetensors files: every key, the format version,
/// and how a configuration and a training position are written to and read from them.
/// <see cref="Checkpoint"/> decides which file holds what and when it is committed.
/// </summary>
/// <remarks>
/// Version 2 (<see cref="Format"/>) records the layer list (<see cref="EncoderKey"/>,
/// <see cref="DecoderKey"/>) and requires every key it writes. Version 1 recorded one hidden width,
/// <see cref="HiddenKey"/>, for the TensorFlow original's layers, and gained keys over its life
/// without a new version: a version-1 file that lacks one was written before it existed and
/// reads as what was then the only choice (grey MNIST 28x28 pixels, the plain VAE, the ELBO).
/// </remarks>
public static class CheckpointMetadata
{
    /// <summary>The format of the files this version writes.</summary>
    public const string Format = "gpuvae-vae-2";

    /// <summary>The format of every checkpoint written before the layer list was recorded.</summary>
    public const string FormatVersion1 = "gpuvae-vae-1";

    // Both files.
    public const string FormatKey = "format";
    public const string EpochKey = "epoch";
    public const string GlobalStepKey = "global_step";

    // The weights file: the network.
    public const string LatentKey = "latent";
    public const string HiddenKey = "hidden";
    public const string EncoderKey = "encoder";
    public const string DecoderKey = "decoder";
    public const string PixelsKey = "pixels";
    public const string RowsKey = "rows";
    public const string ColsKey = "cols";
    public const string BinarizeKey = "binarize";
    public const string ModelKey = "model";
    public const string ClassesKey = "classes";

    // The optimizer file: how training ran and where it stands.
    public const string SeedKey = "seed";
    public const string BatchSizeKey = "batch_size";
    public const string ObjectiveKey = "objective";
    public const string BetaKey = "beta";
    public const string SamplesKey = "k";
    public const string ValidationKey = "validation";
    public const string LearningRatesKey = "lr_schedule";
    public const string ModelHashKey = "model_sha256";
    public const string MetricsKey = "metrics";
    public const string PartialStepsKey = "partial_steps";
    public const string PartialImagesKey = "partial_images";
    public const string PartialBceKey = "partial_bce";
    public const string PartialKldKey = "partial_kld";
    public const string PartialSecondsKey = "partial_seconds";
    public const string PartialBoundKey = "partial_bound";

    /// <summary>The command line's and the metadata's name of a binarization: none, dynamic.</summary>
    public static string BinarizationName(Binarization binarization) => binarization.ToString().ToLowerInvariant();

    /// <summary>Whether this version reads a file of this format; a file without one is no GpuVae checkpoint.</summary>
    public static bool IsReadable(string? format) => format is Format or FormatVersion1;

    /// <summary>The keys both files carry: the format and the training position they were saved at.</summary>
    public static Dictionary<string, string> Position(TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new Dictionary<string, string>
        {
            [FormatKey] = Format,
            [EpochKey] = Text(state.CompletedEpochs),
            [GlobalStepKey] = Text(state.GlobalStep),
        };
    }

    /// <summary>The weights file's metadata: the position and the network.</summary>
    public static Dictionary<string, string> Model(VaeConfig config, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Dictionary<string, string>(Position(state))
        {
            [LatentKey] = Text(config.Latent),
            [EncoderKey] = HiddenSpecs.Format(config.Encoder),
            [DecoderKey] = HiddenSpecs.Format(config.Decoder),
            [PixelsKey] = Text(config.Pixels),
            [RowsKey] = Text(config.ImageRows),
            [ColsKey] = Text(config.ImageCols),
            [BinarizeKey] = BinarizationName(config.Binarization),
            [ModelKey] = ModelKinds.Name(config.Kind),
            [ClassesKey] = Text(config.Classes),
        };
    }

    /// <summary>The optimizer file's metadata: the position, how training ran, the weights it belongs to and the metrics rows.</summary>
    public static Dictionary<string, string> Optimizer(TrainingState state, string modelSha256, string metrics)
    {
        var metadata = new Dictionary<string, string>(Position(state))
        {
            [SeedKey] = Text(state.Seed),
            [BatchSizeKey] = Text(state.BatchSize),
            [ObjectiveKey] = state.Objective.Name,
            [BetaKey] = state.Objective.Beta.ToString("R", CultureInfo.InvariantCulture),
            [SamplesKey] = Text(state.Objective.Samples),
            [ModelHashKey] = modelSha256,
            [MetricsKey] = metrics,
        };
        if (state.Validation is { } validation)
        {
            metadata[ValidationKey] = Text(validation);
        }

        if (state.LearningRates is { } learningRates)
        {
            metadata[LearningRatesKey] = learningRates.ToString();
        }

        if (state.Partial is { } partial)
        {
            metadata[PartialStepsKey] = Text(partial.StepsDone);
            metadata[PartialImagesKey] = Text(partial.Images);
            metadata[PartialBceKey] = partial.BceSum.ToString("R", CultureInfo.InvariantCulture);
            metadata[PartialKldKey] = partial.KldSum.ToString("R", CultureInfo.InvariantCulture);
            metadata[PartialSecondsKey] = partial.Seconds.ToString("R", CultureInfo.InvariantCulture);
            if (partial.BoundSum is { } bound)
            {
                metadata[PartialBoundKey] = bound.ToString("R", CultureInfo.InvariantCulture);
            }
        }

        return metadata;
    }

    /// <summary>
    /// The network a weights file (at path, for messages) records. Version 1 files have the
    /// TensorFlow original's layers at their hidden width.
    /// </summary>
    public static VaeConfig Config(string path, IReadOnlyDictionary<string, string> metadata)
    {
        bool version1 = metadata[FormatKey] == FormatVersion1;
        string binarize = version1 ? metadata.GetValueOrDefault(BinarizeKey, BinarizationName(Binarization.None)) : Required(path, metadata, BinarizeKey);
        var binarization = Enum.GetValues<Binarization>().Where(b => BinarizationName(b) == binarize).Cast<Binarization?>().FirstOrDefault()
            ?? throw new CheckpointException($"{path}: metadata {BinarizeKey} is '{binarize}', expected none or dynamic");
        string modelName = version1 ? metadata.GetValueOrDefault(ModelKey, ModelKinds.Name(ModelKind.Vae)) : Required(path, metadata, ModelKey);
        if (!ModelKinds.TryParse(modelName, out var kind))
        {
            throw new CheckpointException($"{path}: metadata {ModelKey} is '{modelName}', expected one of {string.Join(", ", ModelKinds.All)}");
        }

        int classes = ModelKinds.FirstLayersReadLabel(kind) ? Integer(path, metadata, ClassesKey) : 0;
        if (ModelKinds.FirstLayersReadLabel(kind) && classes == 0)
        {
            throw new CheckpointException($"{path}: metadata {ClassesKey} of a {modelName} must be at least 1");
        }

        var config = version1
            ? new VaeConfig(Integer(path, metadata, LatentKey), Integer(path, metadata, HiddenKey), Integer(path, metadata, PixelsKey))
            : Layered(path, metadata);
        config = config with { Binarization = binarization, Kind = kind, Classes = classes };
        if (version1 && !metadata.ContainsKey(RowsKey) && !metadata.ContainsKey(ColsKey))
        {
            return config;
        }

        int rows = Integer(path, metadata, RowsKey), cols = Integer(path, metadata, ColsKey);
        return (long)rows * cols == config.Pixels
            ? config with { ImageRows = rows, ImageCols = cols }
            : throw new CheckpointException($"{path}: metadata {RowsKey} {rows} x {ColsKey} {cols} is not its {config.Pixels} pixels");
    }

    /// <summary>
    /// The metadata key whose layers give a layer its sizes, for a message about its tensors:
    /// the encoder's list for its hidden layers and the Gaussian head they feed, the decoder's
    /// for its own and the output; in version 1 the one hidden width.
    /// </summary>
    public static string KeyOf(NetworkSpec spec, LayerSpec layer, string format)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (format == FormatVersion1)
        {
            return HiddenKey;
        }

        return spec.EncoderHidden.Contains(layer) || layer == spec.GaussianHead ? EncoderKey : DecoderKey;
    }

    /// <summary>Where training stopped and how it was trained, from an optimizer file's metadata.</summary>
    public static TrainingState State(string path, IReadOnlyDictionary<string, string> metadata)
    {
        int completed = Integer(path, metadata, EpochKey);
        var partial = metadata.ContainsKey(PartialStepsKey)
            ? new EpochPosition(
                completed + 1,
                Integer(path, metadata, PartialStepsKey),
                Real(path, metadata, PartialBceKey),
                Real(path, metadata, PartialKldKey),
                Integer(path, metadata, PartialImagesKey),
                Real(path, metadata, PartialSecondsKey),
                metadata.ContainsKey(PartialBoundKey) ? Real(path, metadata, PartialBoundKey) : null)
            : null;
        return new TrainingState(
            completed,
            Integer(path, metadata, GlobalStepKey),
            Integer(path, metadata, SeedKey),
            Integer(path, metadata, BatchSizeKey),
            partial)
        {
            Objective = Objective(path, metadata),
            Validation = metadata.ContainsKey(ValidationKey) ? Integer(path, metadata, ValidationKey) : null,
            LearningRates = metadata.TryGetValue(LearningRatesKey, out string? learningRates) ? Schedule(path, learningRates) : null,
        };
    }

    public static int Integer(string path, IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out string? text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new CheckpointException($"{path}: metadata {key} is missing or not a non-negative integer");

    /// <summary>A version-2 network: its layer lists, each W:activation as the command line writes them.</summary>
    private static VaeConfig Layered(string path, IReadOnlyDictionary<string, string> metadata)
    {
        var encoder = Layers(path, metadata, EncoderKey);
        var decoder = Layers(path, metadata, DecoderKey);
        // H only fills layer lists that are not given; these are, so any width will do.
        return new VaeConfig(Integer(path, metadata, LatentKey), encoder[0].Units, Integer(path, metadata, PixelsKey)) { Encoder = encoder, Decoder = decoder };
    }

    private static IReadOnlyList<HiddenSpec> Layers(string path, IReadOnlyDictionary<string, string> metadata, string key)
    {
        string text = Required(path, metadata, key);
        return HiddenSpecs.TryParse(text, out string error) ?? throw new CheckpointException($"{path}: metadata {key} is '{text}': {error}");
    }

    /// <summary>The objective keys; a version-1 checkpoint from before they existed trained the ELBO with beta 1.</summary>
    private static TrainingObjective Objective(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata[FormatKey] == FormatVersion1 && !metadata.ContainsKey(ObjectiveKey))
        {
            return TrainingObjective.Elbo;
        }

        string name = Required(path, metadata, ObjectiveKey);
        if (name != TrainingObjective.Elbo.Name && name != new TrainingObjective(ImportanceWeighted: true).Name
            || !metadata.TryGetValue(BetaKey, out string? betaText)
            || !float.TryParse(betaText, NumberStyles.Float, CultureInfo.InvariantCulture, out float beta)
            || !float.IsFinite(beta))
        {
            throw new CheckpointException($"{path}: metadata {ObjectiveKey} \"{name}\" or its {BetaKey} is not one this version reads");
        }

        return new TrainingObjective(beta, name != TrainingObjective.Elbo.Name, Integer(path, metadata, SamplesKey));
    }

    private static LearningRateSchedule Schedule(string path, string text)
    {
        try
        {
            return LearningRateSchedule.Parse(text);
        }
        catch (FormatException e)
        {
            throw new CheckpointException($"{path}: metadata {LearningRatesKey} is not a learning-rate schedule: {e.Message}");
        }
    }

    private static string Required(string path, IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out string? text) ? text : throw new CheckpointException($"{path}: metadata {key} is missing");

    private static double Real(string path, IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out string? text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            ? value
            : throw new CheckpointException($"{path}: metadata {key} is missing or not a finite number");

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
