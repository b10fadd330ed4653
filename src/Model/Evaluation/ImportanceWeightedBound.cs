using GpuVae.Kernels;
using GpuVae.Kernels.Operations;
using GpuVae.Model.Network;

namespace GpuVae.Model.Evaluation;

/// <summary>
/// Burda et al.'s bound log p(x) >= log (1/k) sum_k p(x, z_k) / q(z_k | x) over images (N, D),
/// taken one sample of z at a time over a chunk of images: each sample begun (its stream staged,
/// z drawn, decoded and scored, the per-image terms queued back to the host) and then finished
/// (waited for, read). <see cref="VaeInference.ImportanceWeightedNll"/> runs it alone; a sweep
/// begins a sample of every dim's bound before it finishes any, as it trains them.
/// </summary>
public sealed class ImportanceWeightedBound : IDisposable
{
    private readonly VaeInference inference;
    private readonly int count;
    private readonly int samples;
    // (chunk, samples): each image's log p(x, z_k) / q(z_k | x), for its log-mean-exp once every sample is in.
    private readonly double[] logWeights;
    private Readback? bce;
    private Readback? logPriorOverPosterior;
    private VaeWorkspace? workspace;
    private int start;
    private int chunk;
    private int sample;
    private double total;
    private bool inFlight;

    internal ImportanceWeightedBound(VaeInference inference, int count, int samples)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        this.inference = inference;
        this.count = count;
        this.samples = samples;
        logWeights = new double[inference.BatchSize * samples];
    }

    /// <summary>Whether every sample of every image is in.</summary>
    public bool Done => start >= count;

    /// <summary>The mean negative log-likelihood bound in nats, once <see cref="Done"/>.</summary>
    public double Nll => Done ? total / count : throw new InvalidOperationException($"the bound has {count - start} images left");

    private Backend Backend => inference.Model.Backend;

    /// <summary>
    /// Queues the next sample for the current chunk of <paramref name="images"/> (the same N
    /// images, and their one-hot labels for the conditional VAE, at every call), without waiting.
    /// </summary>
    public void Begin(ReadOnlySpan<float> images, ReadOnlySpan<float> labels = default)
    {
        if (Done || inFlight)
        {
            throw new InvalidOperationException(Done ? "every sample is in" : "a sample is still in flight: Finish it before beginning the next");
        }

        var model = inference.Model;
        if (sample == 0)
        {
            workspace = inference.Load(images, labels, start, count);
            model.Encode(workspace, workspace.Target, DropoutSettings.Off);
            if (bce?.Length != workspace.Batch)
            {
                bce?.Dispose();
                logPriorOverPosterior?.Dispose();
                bce = Backend.AllocateReadback(workspace.Batch);
                logPriorOverPosterior = Backend.AllocateReadback(workspace.Batch);
            }
        }

        var w = workspace!;
        // Chunks and samples get disjoint streams above the ones Evaluate uses.
        ulong step = RandomStreams.EvaluationBase + (1UL << 40) + ((ulong)chunk * (ulong)samples) + (ulong)sample;
        model.StageStep(w, step);
        model.Sample(w, inference.Seed);
        model.Decode(w, DropoutSettings.Off);
        Backend.BinaryCrossEntropy(w.Bce, w.Probabilities, w.Target);
        Backend.LogPriorOverPosterior(w.Kl, w.Z, w.Eps, w.Sigma);
        Backend.CopyToReadback(bce!, w.Bce);
        Backend.CopyToReadback(logPriorOverPosterior!, w.Kl);
        inFlight = true;
    }

    /// <summary>Waits for the sample begun and takes in its terms; after a chunk's last sample, the chunk's bound.</summary>
    public void Finish()
    {
        if (!inFlight)
        {
            throw new InvalidOperationException("no sample is in flight: Begin one first");
        }

        Backend.Synchronize();
        inFlight = false;
        int batch = workspace!.Batch;
        var scores = bce!.Values;
        var logRatios = logPriorOverPosterior!.Values;
        for (int b = 0; b < batch; b++)
        {
            logWeights[(b * samples) + sample] = logRatios[b] - (double)scores[b];
        }

        if (++sample < samples)
        {
            return;
        }

        for (int b = 0; b < batch; b++)
        {
            total -= ImportanceWeighting.LogMeanExpReference(logWeights.AsSpan(b * samples, samples));
        }

        sample = 0;
        start += inference.BatchSize;
        chunk++;
    }

    public void Dispose()
    {
        bce?.Dispose();
        logPriorOverPosterior?.Dispose();
    }
}
