using System.CommandLine;
using GpuVae.App.Options;
using GpuVae.Kernels.Operations;
using GpuVae.Model.Network;
using GpuVae.Model.Training;

namespace GpuVae.App.Runs;

/// <summary>
/// The options shared by `train` (and the bare `GpuVae`, which trains) and `sweep`, with the
/// TensorFlow original's defaults, and their validation into <see cref="RunSettings"/>.
/// </summary>
public sealed class TrainingArguments
{
    public Option<int> Dim { get; } = new("--dim") { Description = "Latent dimension Z", DefaultValueFactory = _ => 20 };

    public Option<int> Epochs { get; } = new("--epochs") { Description = "Training epochs", DefaultValueFactory = _ => 20 };

    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Images per training step", DefaultValueFactory = _ => 128 };

    public Option<int> Hidden { get; } = new("--hidden") { Description = "Hidden units per layer (H) of the default layers, 500:elu,500:tanh and 500:tanh,500:elu at H = 500; not with --encoder or --decoder", DefaultValueFactory = _ => 500 };

    public Option<string?> Encoder { get; } = new("--encoder") { Description = "The encoder's hidden layers from x, W:activation each, comma-separated (default 500:elu,500:tanh)" };

    public Option<string?> Decoder { get; } = new("--decoder") { Description = "The decoder's hidden layers from z, W:activation each, comma-separated (default 500:tanh,500:elu)" };

    public Option<float> LearningRate { get; } = new("--lr") { Description = "Adam learning rate for every epoch", DefaultValueFactory = _ => 1e-3f };

    public Option<string?> LearningRates { get; } = new("--lr-schedule")
    {
        Description = "Adam learning rate per epoch instead of --lr: 'burda' (Burda et al. 2015: 3^i epochs at 1e-4 * round(10^(1 - i/7), 1) for i = 0..7, 3280 in all) "
            + "or stages 'epochs:rate,...' (e.g. 1:1e-3,3:7.2e-4); the last rate goes on past the stages",
    };

    public Option<float> KeepProbability { get; } = new("--keep-prob") { Description = "Dropout keep probability during training, in (0, 1]", DefaultValueFactory = _ => 0.9f };

    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of initialization, shuffling, dropout and noise", DefaultValueFactory = _ => 0 };

    public DataOption Data { get; } = new();

    /// <summary>
    /// Where train, sweep and plot put results unless told: a folder git ignores, so that a run
    /// never rewrites the committed results in save/, which are regenerated only with --out save.
    /// </summary>
    public const string DefaultOut = "runs";

    public Option<string> Out { get; } = new("--out") { Description = "Folder for results: <out>/dim<Z>/ holds metrics, checkpoints and images", DefaultValueFactory = _ => DefaultOut };

    public DeviceOptions Device { get; } = new();

    public Option<bool> Resume { get; } = new("--resume") { Description = "Continue from the checkpoint in <out>/dim<Z>/" };

    public Option<bool> Overwrite { get; } = new("--overwrite") { Description = "Start afresh and replace the model in <out>/dim<Z>/; without it or --resume a folder holding one is refused" };

    public Option<int?> TrainLimit { get; } = new("--train-limit") { Description = "Train on the first N training images only (quick runs)" };

    public Option<bool> AddNoise { get; } = new("--add-noise") { Description = "Denoising variant: corrupt inputs with salt-and-pepper noise, reconstruct the clean image" };

    public Option<float> NoiseFraction { get; } = new("--noise-fraction") { Description = "Fraction of pixels --add-noise corrupts (half to 0, half to 1)", DefaultValueFactory = _ => 0.5f };

    public Option<string> Binarize { get; } = new Option<string>("--binarize")
    {
        Description = "none: grey pixels as the TensorFlow original; dynamic: each training image drawn as Bernoulli(pixel) every time it is used, the test set binarized once with a fixed seed",
        DefaultValueFactory = _ => "none",
    }.AcceptOnlyFromAmong("none", "dynamic");

    public Option<float> Beta { get; } = new("--beta") { Description = "Weight of the KL term in the ELBO (beta-VAE); 1 is the plain ELBO", DefaultValueFactory = _ => 1f };

    public Option<string> Objective { get; } = new("--objective") { Description = "Training loss: elbo, or iwae (the importance-weighted bound of Burda et al. over --k samples of z)", DefaultValueFactory = _ => "elbo" };

    public Option<int> Samples { get; } = new("--k") { Description = "Samples of z per image for --objective iwae", DefaultValueFactory = _ => 5 };

    public Option<bool> NoGraph { get; } = new("--no-graph") { Description = "Run each training step op by op instead of replaying it as a captured CUDA graph (the result is the same, bit for bit)" };

    public Option<string> Model { get; } = new("--model")
    {
        Description = "vae: the TensorFlow original's VAE; cvae: the conditional VAE (hwalsuklee/tensorflow-mnist-CVAE), the label's one-hot joining the encoder's input and z; needs the label files",
        DefaultValueFactory = _ => "vae",
    };

    public Option<int> Validation { get; } = new("--validation") { Description = "Hold out the last N training images and report their loss each epoch (the TensorFlow original holds out 5000)", DefaultValueFactory = _ => 0 };

    /// <summary>The options of both train and sweep; train adds --dim, --resume and --overwrite, sweep --dims.</summary>
    public IEnumerable<Option> Common =>
    [
        Epochs, BatchSize, Hidden, Encoder, Decoder, LearningRate, LearningRates, KeepProbability, Seed, Data.Data, Out, .. Device.All, TrainLimit, AddNoise, NoiseFraction, Binarize, Beta, Objective, Samples, Validation, Model, NoGraph,
    ];

    public RunSettings Read(ParseResult parse, int dim, bool resume, bool overwrite = false)
    {
        Require(!(resume && overwrite), "--resume continues the run in <out>/dim<Z>/ and --overwrite replaces it: give one");
        int epochs = parse.GetValue(Epochs);
        int batch = parse.GetValue(BatchSize);
        int hidden = parse.GetValue(Hidden);
        float lr = parse.GetValue(LearningRate);
        float keep = parse.GetValue(KeepProbability);
        float noise = parse.GetValue(NoiseFraction);
        var (accelerator, device) = Device.Read(parse);
        string data = Data.Read(parse);
        int? limit = parse.GetValue(TrainLimit);
        float beta = parse.GetValue(Beta);
        int validation = parse.GetValue(Validation);
        string objective = parse.GetValue(Objective)!;
        int samples = parse.GetValue(Samples);
        string model = parse.GetValue(Model)!;
        Require(ModelKinds.TryParse(model, out var kind), $"--model must be one of {string.Join(", ", ModelKinds.All)}, got {model}");
        Require(dim is > 0 and <= DimsOption.MaximumDim, $"--dim must be between 1 and {DimsOption.MaximumDim}, got {dim}");
        Require(epochs is > 0 and <= 100_000, $"--epochs must be between 1 and 100000, got {epochs}");
        Require(batch is > 0 and <= 60_000, $"--batch-size must be between 1 and 60000, got {batch}");
        Require(hidden is > 0 and <= HiddenSpecs.MaximumUnits, $"--hidden must be between 1 and {HiddenSpecs.MaximumUnits}, got {hidden}");
        string? encoderText = parse.GetValue(Encoder), decoderText = parse.GetValue(Decoder);
        Require(
            parse.GetResult(Hidden) is not { Implicit: false } || (encoderText is null && decoderText is null),
            $"--hidden sets the width of the default layers; with {(encoderText is not null ? "--encoder" : "--decoder")} give every layer's width there instead");
        var encoder = Layers(Encoder, encoderText) ?? HiddenSpecs.DefaultEncoder(hidden);
        var decoder = Layers(Decoder, decoderText) ?? HiddenSpecs.DefaultDecoder(hidden);
        Require(
            encoder.Count + decoder.Count <= RandomStreams.DropoutSlots.Count,
            $"--encoder and --decoder give {encoder.Count + decoder.Count} hidden layers; a training step has dropout streams for {RandomStreams.DropoutSlots.Count} in all");
        Require(float.IsFinite(lr) && lr > 0 && lr <= 1, $"--lr must be in (0, 1], got {lr}");
        var learningRates = Schedule(parse.GetValue(LearningRates), lr, parse.GetResult(LearningRate) is { Implicit: false });
        Require(float.IsFinite(keep) && keep > 0 && keep <= 1, $"--keep-prob must be in (0, 1], got {keep}");
        Require(float.IsFinite(noise) && noise >= 0 && noise <= 1, $"--noise-fraction must be in [0, 1], got {noise}");
        Require(float.IsFinite(beta) && beta >= 0, $"--beta must be a finite number at least 0, got {beta}");
        Require(objective is "elbo" or "iwae", $"--objective must be elbo or iwae, got {objective}");
        Require(samples is > 0 and <= 10_000, $"--k must be between 1 and 10000, got {samples}");
        Require(objective == "elbo" || beta == 1, $"--beta {beta} weighs the ELBO's KL term; --objective iwae has none");
        Require(objective == "elbo" || (long)batch * samples <= 1_000_000, $"--batch-size {batch} times --k {samples} is more than 1000000 rows a step");
        Require(validation >= 0, $"--validation must be at least 0, got {validation}");
        Require(limit is null or > 0, $"--train-limit must be at least 1, got {limit}");
        Require(limit is null || batch <= limit, $"--batch-size {batch} is larger than --train-limit {limit}: no full batch to train on");
        int available = Math.Min(limit ?? RunSettings.MnistTrainingImages, RunSettings.MnistTrainingImages);
        Require(
            validation <= available - batch,
            $"--validation {validation} leaves {Math.Max(available - validation, 0)} of the {available} training images: fewer than one batch of {batch}");
        return new RunSettings(
            // The conditional VAE's classes come from the labels, once the data is read (MnistData.Shape).
            new VaeConfig(dim, hidden)
            {
                Encoder = encoder,
                Decoder = decoder,
                Binarization = parse.GetValue(Binarize) == "dynamic" ? Binarization.Dynamic : Binarization.None,
                Kind = kind,
            },
            new TrainingOptions
            {
                Epochs = epochs,
                BatchSize = batch,
                LearningRates = learningRates,
                KeepProbability = keep,
                Seed = parse.GetValue(Seed),
                InputNoise = parse.GetValue(AddNoise) ? noise : 0,
                Objective = objective == "iwae" ? new TrainingObjective(1, ImportanceWeighted: true, samples) : new TrainingObjective(beta),
                CaptureGraph = !parse.GetValue(NoGraph),
            },
            data,
            parse.GetValue(Out)!,
            accelerator,
            device,
            resume,
            limit,
            validation)
        {
            Overwrite = overwrite,
        };
    }

    /// <summary>--lr-schedule's schedule, or --lr's one rate when it is not given; both given is a usage error.</summary>
    private static LearningRateSchedule Schedule(string? text, float lr, bool lrGiven)
    {
        if (text is null)
        {
            return LearningRateSchedule.Constant(lr);
        }

        Require(!lrGiven, "--lr and --lr-schedule both set the learning rate: give one");
        try
        {
            var schedule = LearningRateSchedule.Parse(text);
            Require(schedule.Stages.All(stage => stage.Rate <= 1), $"--lr-schedule: every rate must be in (0, 1], got {schedule}");
            return schedule;
        }
        catch (FormatException e)
        {
            throw new UsageException($"--lr-schedule: {e.Message}");
        }
    }

    /// <summary>The layers an --encoder or --decoder gives; null when it is not given.</summary>
    private static IReadOnlyList<HiddenSpec>? Layers(Option<string?> option, string? text)
    {
        if (text is null)
        {
            return null;
        }

        var layers = HiddenSpecs.TryParse(text, out string error);
        Require(layers is not null, $"{option.Name}: {error}");
        return layers;
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new UsageException(message);
        }
    }
}
