using GpuVae.Kernels;

namespace GpuVae.Model;

/// <summary>
/// One training step, stated once: gather the batch, binarize it for binarized MNIST, corrupt it for the denoising variant,
/// forward, loss, backward, read the losses back, Adam. <see cref="Trainer"/> runs it every
/// step and <see cref="StepBenchmark"/> times it, so what is timed is what trains.
/// </summary>
public sealed class TrainingStep : IDisposable
{
    private readonly VaeWorkspace workspace;
    private readonly AdamOptimizer optimizer;
    private readonly float[] bce;
    private readonly float[] kl;
    private readonly float[] bound;
    private readonly int[] replicatedRows;

    public TrainingStep(Vae model, TrainingOptions options)
    {
        Model = model;
        Options = options;
        // The importance-weighted objective replicates each image into K rows: every buffer and GEMM runs at B K.
        int samples = options.Objective.RowsPerImage;
        workspace = new VaeWorkspace(model.Backend, model.Config, options.BatchSize * samples, samples);
        optimizer = new AdamOptimizer(model.Backend, model.Parameters, options.LearningRate);
        bce = new float[options.BatchSize * samples];
        kl = new float[options.BatchSize * samples];
        bound = new float[options.Objective.ImportanceWeighted ? options.BatchSize : 0];
        replicatedRows = new int[options.BatchSize * samples];
    }

    public Vae Model { get; }

    public TrainingOptions Options { get; }

    /// <summary>(B, D): the last step's target, the gathered images (binarized when the model is), on the backend.</summary>
    public Tensor Target => workspace.Target;

    /// <summary>Steps taken so far over all epochs: Adam's count and the random streams' counter.</summary>
    public long StepsTaken
    {
        get => optimizer.StepsTaken;
        set => optimizer.StepsTaken = value;
    }

    /// <summary>
    /// The GEMMs one step runs, in order: forward y = x W for each layer (B, out, in); backward
    /// dx = dy W^T for every layer but the encoder's first, whose input needs no gradient; and
    /// dW = x^T dy for every layer; a layer that reads the label (the conditional VAE's) adds
    /// l W_label forward and dW_label = l^T dy backward. The step-profile test holds this against a real step.
    /// </summary>
    public static IReadOnlyList<GemmCall> Gemms(VaeConfig config, int batch)
    {
        var layers = Vae.Layers(config);
        var labelled = layers.Where(l => l.Labels > 0).ToList();
        return
        [
            .. layers.Select(l => new GemmCall(l.Name, batch, l.Outputs, l.Inputs, false, false)),
            .. labelled.Select(l => new GemmCall(l.Name + DenseLayer.LabelWeightSuffix, batch, l.Outputs, l.Labels, false, false)),
            .. layers.Skip(1).Select(l => new GemmCall(l.Name, batch, l.Inputs, l.Outputs, false, true)),
            .. layers.Select(l => new GemmCall(l.Name, l.Inputs, l.Outputs, batch, true, false)),
            .. labelled.Select(l => new GemmCall(l.Name + DenseLayer.LabelWeightSuffix, l.Labels, l.Outputs, batch, true, false)),
        ];
    }

    /// <summary>
    /// One step on the rows of <paramref name="images"/> (N, D) named by <paramref name="rows"/>
    /// (B of them), with the same rows of <paramref name="labels"/> (N, C), the one-hot labels
    /// the conditional VAE needs. Returns the batch's losses; when they are not finite, Adam is not applied,
    /// so the parameters stay those of the last good step, and the caller decides what to do.
    /// </summary>
    public LossTotals Run(Tensor images, ReadOnlySpan<int> rows, Tensor? labels = null)
    {
        var backend = Model.Backend;
        ulong seed = (ulong)Options.Seed;
        ulong step = (ulong)StepsTaken;
        backend.GatherRows(workspace.Target, images, Replicated(rows));
        if (workspace.Labels is not null)
        {
            backend.GatherRows(workspace.Labels, labels ?? throw new ArgumentNullException(nameof(labels), "the conditional VAE trains on labelled images"), Replicated(rows));
        }

        if (Model.Config.Binarization == Binarization.Dynamic)
        {
            // In place: a fresh Bernoulli draw of every pixel each time an image is used, which is both the encoder's input and the target.
            backend.Binarize(workspace.Target, workspace.Target, seed, RandomStreams.Of(step, RandomStreams.BinarizeSlot));
        }

        var input = workspace.Target;
        if (Options.InputNoise > 0)
        {
            backend.SaltAndPepper(workspace.CorruptedInput, workspace.Target, Options.InputNoise, seed, RandomStreams.Of(step, RandomStreams.InputNoiseSlot));
            input = workspace.CorruptedInput;
        }

        var dropout = new DropoutSettings(Options.KeepProbability, seed, step);
        if (Options.Objective.ImportanceWeighted)
        {
            Model.ForwardImportanceWeighted(workspace, input, dropout, seed, step);
        }
        else
        {
            Model.Forward(workspace, input, dropout, seed, step);
        }

        Model.Backward(workspace, input, dropout, Options.Objective);

        backend.Download(workspace.Bce, bce);
        backend.Download(workspace.Kl, kl);
        if (Options.Objective.ImportanceWeighted)
        {
            backend.Download(workspace.Bound, bound);
        }

        var batch = new LossTotals();
        AddLastStepTo(batch);
        if (double.IsFinite(batch.MeanLoss))
        {
            optimizer.Step();
        }

        return batch;
    }

    /// <summary>Adds the last step's losses to <paramref name="totals"/>, the bound too under the importance-weighted objective.</summary>
    public void AddLastStepTo(LossTotals totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        if (Options.Objective.ImportanceWeighted)
        {
            totals.Add(bce, kl, bound);
        }
        else
        {
            totals.Add(bce, kl);
        }
    }

    public void Dispose() => workspace.Dispose();

    /// <summary>The batch's rows, each repeated once per sample of z: the rows themselves under the ELBO.</summary>
    private ReadOnlySpan<int> Replicated(ReadOnlySpan<int> rows)
    {
        int samples = workspace.Samples;
        if (samples == 1)
        {
            return rows;
        }

        for (int i = 0; i < replicatedRows.Length; i++)
        {
            replicatedRows[i] = rows[i / samples];
        }

        return replicatedRows;
    }
}
