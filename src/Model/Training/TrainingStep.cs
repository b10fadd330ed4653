using GpuVae.Kernels;
using GpuVae.Kernels.Operations;
using GpuVae.Model.Network;

namespace GpuVae.Model.Training;

/// <summary>
/// One training step, stated once: gather the batch, binarize it for binarized MNIST, corrupt it for the denoising variant,
/// forward, loss, backward, read the losses back, Adam. <see cref="Trainer"/> runs it every
/// step and <see cref="StepBenchmark"/> times it, so what is timed is what trains.
/// Everything that changes from step to step (the rows, the random streams, Adam's bias
/// corrections) is staged in the workspace's <see cref="StepValues"/> and read on the device,
/// so on CUDA the step's queued work is captured once as a graph and replayed, bit for bit
/// the step run op by op (<see cref="CapturedStep"/> keeps that graph).
/// </summary>
public sealed class TrainingStep : IDisposable
{
    private readonly VaeWorkspace workspace;
    private readonly AdamOptimizer optimizer;
    private readonly Readback bce;
    private readonly Readback kl;
    private readonly Readback? bound;
    private readonly int[] replicatedRows;
    private readonly CapturedStep captured;
    // The step's delegate and what it reads, made once: a lambda per step would allocate, and a warm step allocates nothing.
    private readonly Action enqueue;
    private readonly LossTotals lastBatch = new();
    private Tensor? stepImages;
    private Tensor? stepLabels;
    // Between Begin and Finish: the device may still be reading the staged values and writing the losses.
    private bool inFlight;

    /// <param name="captureGraph">
    /// Whether to record the step as a graph after its first run and replay that (CUDA); where
    /// the backend cannot, <see cref="GraphStatus"/> says why and every step runs op by op (<see cref="CapturedStep"/>).
    /// </param>
    public TrainingStep(Vae model, TrainingOptions options, bool captureGraph = false)
    {
        Model = model;
        Options = options;
        // The importance-weighted objective replicates each image into K rows: every buffer and GEMM runs at B K.
        int samples = options.Objective.RowsPerImage;
        workspace = new VaeWorkspace(model.Backend, model.Config, options.BatchSize * samples, samples);
        optimizer = new AdamOptimizer(model.Backend, model.Parameters, options.LearningRates.RateOf(1));
        bce = model.Backend.AllocateReadback(options.BatchSize * samples);
        kl = model.Backend.AllocateReadback(options.BatchSize * samples);
        bound = options.Objective.ImportanceWeighted ? model.Backend.AllocateReadback(options.BatchSize) : null;
        replicatedRows = new int[options.BatchSize * samples];
        captured = new CapturedStep(model.Backend, captureGraph);
        enqueue = () => Enqueue(stepImages!, stepLabels);
    }

    public Vae Model { get; }

    public TrainingOptions Options { get; }

    /// <summary>One line on how steps run: captured as a graph of N operations, or op by op and why.</summary>
    public string GraphStatus => captured.Status;

    /// <summary>
    /// Whether each step gathers the batch's one-hot labels beside its images: the one answer, from
    /// the layers that read the label, that the trainer and the benchmarks follow.
    /// </summary>
    public bool GathersLabels => workspace.Labels is not null;

    /// <summary>Whether steps now replay a captured graph.</summary>
    public bool Replaying => captured.Replaying;

    /// <summary>(B, D): the last step's target, the gathered images (binarized when the model is), on the backend.</summary>
    public Tensor Target => workspace.Target;

    /// <summary>Adam's learning rate for the steps from now on: the schedule's rate of the epoch being trained.</summary>
    public float LearningRate
    {
        get => optimizer.LearningRate;
        set => optimizer.LearningRate = value;
    }

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
        ArgumentNullException.ThrowIfNull(config);
        var layers = config.Layers.All;
        var labelled = layers.Where(l => l.ReadsLabel).ToList();
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
    /// layers that read the label need, Adam's update included: <see cref="Begin"/> then
    /// <see cref="Finish"/>. Returns the batch's mean loss (BCE + KL, or the importance-weighted
    /// bound); when it is not finite the parameters have taken that step too, and the caller
    /// must not keep them (<see cref="Trainer"/> stops, and nothing is saved).
    /// <see cref="AddLastStepTo"/> adds the step's losses to a running total.
    /// </summary>
    public double Run(Tensor images, ReadOnlySpan<int> rows, Tensor? labels = null)
    {
        Begin(images, rows, labels);
        return Finish();
    }

    /// <summary>
    /// Checks the rows, stages the step's values and puts the whole step on the device without
    /// waiting for it: on a GPU the host is free to begin other models' steps (a sweep's dims)
    /// while this one runs; the host backend has done the step by the time this returns.
    /// </summary>
    public void Begin(Tensor images, ReadOnlySpan<int> rows, Tensor? labels = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (inFlight)
        {
            // Staging the next step's values would overwrite the ones the step in flight reads.
            throw new InvalidOperationException("a step is still in flight: Finish it before beginning the next");
        }

        if (GathersLabels && labels is null)
        {
            throw new ArgumentNullException(nameof(labels), "the model's layers read the label: it trains on labelled images");
        }

        foreach (int row in rows)
        {
            // Checked here, not only by GatherRows: a replayed graph runs no host code.
            if ((uint)row >= (uint)images.Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), $"row {row} is outside the images {images}");
            }
        }

        var values = workspace.Step;
        values.SetRows(Replicated(rows));
        RandomStreams.Stage(values, (ulong)StepsTaken);
        optimizer.Stage(values);
        stepImages = images;
        stepLabels = labels;
        captured.Run(images, labels, enqueue);
        inFlight = true;
    }

    /// <summary>Waits for the step <see cref="Begin"/> put on the device and returns its batch's mean loss, as <see cref="Run"/> does.</summary>
    public double Finish()
    {
        if (!inFlight)
        {
            throw new InvalidOperationException("no step is in flight: Begin one first");
        }

        Model.Backend.Synchronize();
        inFlight = false;
        StepsTaken++;
        lastBatch.Clear();
        AddLastStepTo(lastBatch);
        return lastBatch.MeanLoss;
    }

    /// <summary>Adds the last step's losses to <paramref name="totals"/>, the bound too under the importance-weighted objective.</summary>
    public void AddLastStepTo(LossTotals totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        if (bound is not null)
        {
            totals.Add(bce.Values, kl.Values, bound.Values);
        }
        else
        {
            totals.Add(bce.Values, kl.Values);
        }
    }

    public void Dispose()
    {
        captured.Dispose();
        workspace.Dispose();
        bce.Dispose();
        kl.Dispose();
        bound?.Dispose();
    }

    /// <summary>
    /// Queues the whole step on the device, reading only the staged step values: what runs op by
    /// op, and what a graph records.
    /// </summary>
    private void Enqueue(Tensor images, Tensor? labels)
    {
        var backend = Model.Backend;
        var values = workspace.Step;
        ulong seed = (ulong)Options.Seed;
        backend.UploadStepValues(values);
        backend.GatherRows(workspace.Target, images, values);
        if (GathersLabels)
        {
            backend.GatherRows(workspace.Labels!, labels!, values);
        }

        if (Model.Config.Binarization == Binarization.Dynamic)
        {
            // In place: a fresh Bernoulli draw of every pixel each time an image is used, which is both the encoder's
            // input and the target; an image's K copies under the importance-weighted objective are one draw.
            backend.Binarize(workspace.Target, workspace.Target, seed, new RandomStream(values, RandomStreams.BinarizeSlot), workspace.Samples);
        }

        var input = workspace.Target;
        if (Options.InputNoise > 0)
        {
            backend.SaltAndPepper(workspace.CorruptedInput, workspace.Target, Options.InputNoise, seed, new RandomStream(values, RandomStreams.InputNoiseSlot));
            input = workspace.CorruptedInput;
        }

        var dropout = new DropoutSettings(Options.KeepProbability, seed, values);
        if (Options.Objective.ImportanceWeighted)
        {
            Model.ForwardImportanceWeighted(workspace, input, dropout, seed);
        }
        else
        {
            Model.Forward(workspace, input, dropout, seed);
        }

        Model.Backward(workspace, input, dropout, Options.Objective);
        backend.CopyToReadback(bce, workspace.Bce);
        backend.CopyToReadback(kl, workspace.Kl);
        if (bound is not null)
        {
            backend.CopyToReadback(bound, workspace.Bound);
        }

        optimizer.Enqueue(values);
    }

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
