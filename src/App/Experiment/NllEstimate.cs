using System.Globalization;
using GpuVae.App.Data;
using GpuVae.Model.Evaluation;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;

namespace GpuVae.App.Experiment;

/// <summary>
/// A run's importance-weighted test NLL, cached in out/dim&lt;Z&gt;/nll.csv with what it was
/// computed from: the sha256 of the weights file, k, the images and the seed. `plot` and a
/// continued sweep reuse it instead of spending minutes recomputing it; weights trained anew
/// into the folder have another hash, so the old model's number is never shown for them.
/// ModelSha256 and Seed are null in files written before estimates named their weights.
/// </summary>
public sealed record NllEstimate(string? ModelSha256, int Samples, int Images, int? Seed, double Nll)
{
    public const string FileName = "nll.csv";
    private const string Header = "model_sha256,samples,images,seed,nll";
    private const string UnkeyedHeader = "epoch,samples,images,nll";

    public static NllEstimate? Read(string runDirectory)
    {
        string path = Path.Combine(runDirectory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        string[] lines = File.ReadAllLines(path);
        string[] fields = lines.Length == 2 ? lines[1].Split(',') : [];
        if (lines.Length == 2 && lines[0] == Header && fields.Length == 5 && fields[0].Length == 64
            && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int samples)
            && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out int images)
            && int.TryParse(fields[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int seed)
            && double.TryParse(fields[4], NumberStyles.Float, CultureInfo.InvariantCulture, out double nll))
        {
            return new NllEstimate(fields[0], samples, images, seed, nll);
        }

        if (lines.Length == 2 && lines[0] == UnkeyedHeader && fields.Length == 4
            && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out samples)
            && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out images)
            && double.TryParse(fields[3], NumberStyles.Float, CultureInfo.InvariantCulture, out nll))
        {
            return new NllEstimate(null, samples, images, null, nll);
        }

        throw new InvalidDataException($"{path}: expected the header '{Header}' (or the older '{UnkeyedHeader}') and one row of numbers");
    }

    /// <summary>The cached estimate when it was computed from these weights with these settings, else a new one, saved.</summary>
    public static NllEstimate Compute(string runDirectory, Vae model, string modelSha256, MnistSet test, int samples, int images, int seed) =>
        ComputeAll([new NllRun(runDirectory, model, modelSha256)], test, samples, images, seed)[0];

    /// <summary>
    /// Each run's estimate, as <see cref="Compute"/> gives it, the ones not cached computed in
    /// lockstep a sample of z at a time, as a sweep trains them, where the models are on backends
    /// of their own (CUDA streams, side by side); elsewhere one after another.
    /// </summary>
    public static IReadOnlyList<NllEstimate> ComputeAll(IReadOnlyList<NllRun> runs, MnistSet test, int samples, int images, int seed)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(test);
        images = Math.Min(images, test.Count);
        var estimates = new NllEstimate?[runs.Count];
        var pending = new List<PendingBound>();
        try
        {
            for (int i = 0; i < runs.Count; i++)
            {
                var (runDirectory, model, modelSha256) = runs[i];
                if (Read(runDirectory) is { } cached
                    && cached.ModelSha256 == modelSha256 && cached.Samples == samples && cached.Images == images && cached.Seed == seed)
                {
                    estimates[i] = cached;
                    continue;
                }

                var inference = new VaeInference(model, (ulong)seed);
                // The conditional VAE's bound is on -log p(x | y), given the true label.
                float[]? labels = model.Config.ReadsLabels ? LabelOneHots.Of(test.Labels.AsSpan(0, images), model.Config.Classes) : null;
                pending.Add(new PendingBound(i, inference, inference.StartImportanceWeightedNll(images, samples), BinarizedTestSet.For(model.Config, test.Images[..(images * model.Config.Pixels)]), labels));
            }

            // Models sharing a backend (the host's, the CPU accelerator's) gain nothing from taking
            // turns, and one at a time keeps each one's weights in cache.
            if (pending.Select(run => run.Inference.Model.Backend).Distinct().Count() == pending.Count)
            {
                RunInLockstep(pending);
            }
            else
            {
                pending.ForEach(run => RunInLockstep([run]));
            }

            foreach (var run in pending)
            {
                var (runDirectory, _, modelSha256) = runs[run.Index];
                double nll = run.Bound.Nll;
                AtomicFile.WriteAllText(
                    Path.Combine(runDirectory, FileName),
                    string.Create(CultureInfo.InvariantCulture, $"{Header}\n{modelSha256},{samples},{images},{seed},{nll:R}\n"));
                estimates[run.Index] = new NllEstimate(modelSha256, samples, images, seed, nll);
            }
        }
        finally
        {
            foreach (var run in pending)
            {
                run.Bound.Dispose();
                run.Inference.Dispose();
            }
        }

        return [.. estimates.Select(estimate => estimate!)];
    }

    /// <summary>Every run's bound, a sample of z of each at a time: all begun, then all finished.</summary>
    private static void RunInLockstep(IReadOnlyList<PendingBound> runs)
    {
        while (runs.Any(run => !run.Bound.Done))
        {
            foreach (var run in runs.Where(run => !run.Bound.Done))
            {
                run.Bound.Begin(run.Images, run.Labels);
            }

            foreach (var run in runs.Where(run => !run.Bound.Done))
            {
                run.Bound.Finish();
            }
        }
    }

    /// <summary>A run's bound under way: the run's place in the list, its model's inference, and the test images (and labels) it averages over.</summary>
    private sealed record PendingBound(int Index, VaeInference Inference, ImportanceWeightedBound Bound, float[] Images, float[]? Labels);
}
