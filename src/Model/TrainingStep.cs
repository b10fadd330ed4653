using GpuVae.Kernels;

namespace GpuVae.Model;

/// <summary>
/// One training step, stated once: gather the batch, corrupt it for the denoising variant,
/// forward, loss, backward, read the losses back, Adam. <see cref="Trainer"/> runs it every
/// step and <see cref="StepBenchmark"/> times it, so what is timed is what trains.
/// </summary>
public sealed class TrainingStep : IDisposable
{
    private readonly VaeWorkspace workspace;
    private readonly AdamOptimizer optimizer;
    private readonly float[] bce;
    private readonly float[] kl;

    public TrainingStep(Vae model, TrainingOptions options)
    {
        Model = model;
        Options = options;
        workspace = new VaeWorkspace(model.Backend, model.Config, options.BatchSize);
        optimizer = new AdamOptimizer(model.Backend, model.Parameters, options.LearningRate);
        bce = new float[options.BatchSize];
        kl = new float[options.BatchSize];
    }

    public Vae Model { get; }

    public TrainingOptions Options { get; }

    /// <summary>The last step's per-image BCE, nats.</summary>
    public ReadOnlySpan<float> Bce => bce;

    /// <summary>The last step's per-image KL divergence, nats.</summary>
    public ReadOnlySpan<float> Kl => kl;

    /// <summary>Steps taken so far over all epochs: Adam's count and the random streams' counter.</summary>
    public long StepsTaken
    {
        get => optimizer.StepsTaken;
        set => optimizer.StepsTaken = value;
    }

    /// <summary>
    /// The GEMMs one step runs, in order: forward y = x W for each layer (B, out, in); backward
    /// dx = dy W^T for every layer but the encoder's first, whose input needs no gradient; and
    /// dW = x^T dy for every layer. The step-profile test holds this against a real step.
    /// </summary>
    public static IReadOnlyList<GemmCall> Gemms(VaeConfig config, int batch)
    {
        var layers = Vae.Layers(config);
        return
        [
            .. layers.Select(l => new GemmCall(l.Name, batch, l.Outputs, l.Inputs, false, false)),
            .. layers.Skip(1).Select(l => new GemmCall(l.Name, batch, l.Inputs, l.Outputs, false, true)),
            .. layers.Select(l => new GemmCall(l.Name, l.Inputs, l.Outputs, batch, true, false)),
        ];
    }

    /// <summary>
    /// One step on the rows of <paramref name="images"/> (N, D) named by <paramref name="rows"/>
    /// (B of them). Returns the batch's losses; when they are not finite, Adam is not applied,
    /// so the parameters stay those of the last good step, and the caller decides what to do.
    /// </summary>
    public LossTotals Run(Tensor images, ReadOnlySpan<int> rows)
    {
        var backend = Model.Backend;
        ulong seed = (ulong)Options.Seed;
        ulong step = (ulong)StepsTaken;
        backend.GatherRows(workspace.Target, images, rows);
        var input = workspace.Target;
        if (Options.InputNoise > 0)
        {
            backend.SaltAndPepper(workspace.CorruptedInput, workspace.Target, Options.InputNoise, seed, RandomStreams.Of(step, RandomStreams.InputNoiseSlot));
            input = workspace.CorruptedInput;
        }

        var dropout = new DropoutSettings(Options.KeepProbability, seed, step);
        Model.Forward(workspace, input, dropout, seed, step);
        Model.Backward(workspace, input, dropout, Options.Objective.Beta);

        backend.Download(workspace.Bce, bce);
        backend.Download(workspace.Kl, kl);
        var batch = new LossTotals();
        batch.Add(bce, kl);
        if (double.IsFinite(batch.MeanLoss))
        {
            optimizer.Step();
        }

        return batch;
    }

    public void Dispose() => workspace.Dispose();
}
