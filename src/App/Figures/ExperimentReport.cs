using System.Globalization;
using System.Text;
using GpuVae.Kernels.Operations;
using GpuVae.Model.Persistence;
using GpuVae.Model.Training;

namespace GpuVae.App.Figures;

/// <summary>
/// Writes report.md for a latent-dimension sweep, laid out like the TensorFlow original's README
/// (hwalsuklee/tensorflow-mnist-VAE): the model, a results table with one row per dim, the
/// run's facts and every picture found beside the report.
/// </summary>
public static class ExperimentReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// Writes the report to <paramref name="path"/> atomically. Pictures are linked relative to
    /// the report's folder, and only those that exist there: dim&lt;Z&gt;.png (reconstructions),
    /// samples_dim&lt;Z&gt;.png and interpolation_dim&lt;Z&gt;.png for each dim given, and
    /// manifold.png, train_z_map.png, test_z_map.png, Loss.png, BCE.png, KLD.png.
    /// </summary>
    public static void Write(string path, ExperimentSummary summary)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(summary);
        Check(summary);
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        DimResult[] dims = [.. summary.Dims.OrderBy(d => d.Z)];

        bool conditional = dims.Any(d => d.Conditional);
        var md = new StringBuilder();
        md.Append(conditional ? "# Conditional variational autoencoder" : "# Variational autoencoder")
            .Append(" on MNIST: latent dimensions ").AppendJoin(", ", dims.Select(d => d.Z)).Append("\n\n");
        md.Append(
            "A variational autoencoder (Kingma & Welling, *Auto-Encoding Variational Bayes*) trained on MNIST, "
            + "after hwalsuklee/tensorflow-mnist-VAE. The encoder is a 784-500-500-2Z perceptron (ELU, then tanh) "
            + "whose 2Z outputs are the mean and spread of a diagonal Gaussian q(z|x); the decoder is a "
            + "Z-500-500-784 perceptron (tanh, then ELU) whose sigmoid outputs are the means of independent "
            + "Bernoulli pixels. Hidden layers use dropout with keep probability 0.9 during training; Adam with "
            + "learning rate 1e-3 minimizes the negative ELBO over batches of 128 images. Losses are nats per "
            + "image: loss = BCE (reconstruction) + KLD (from q(z|x) to the N(0, I) prior). The importance-weighted "
            + "NLL with k samples per image is a tighter bound than the test loss on the same objective, -log p(x) with "
            + "the Bernoulli log-likelihood");
        int[] binarized = [.. dims.Where(d => d.Binarized).Select(d => d.Z)];
        if (binarized.Length > 0)
        {
            md.Append("; Z = ").AppendJoin(", ", binarized).Append(
                " trained on dynamically binarized MNIST (each image's pixels drawn as Bernoulli(grey level) every time it "
                + "is used) and are tested on the test set binarized once from seed 0x5EED_B1A5, so their NLL is a bound on a "
                + "normalized likelihood");
        }

        if (binarized.Length < dims.Length)
        {
            md.Append(binarized.Length > 0 ? "; the other dims keep" : "; but MNIST is kept in")
                .Append(" grey levels in [0, 1], which are not Bernoulli outcomes, so it is not the negative log of a "
                    + "normalized likelihood and cannot be compared with published NLLs on binarized MNIST");
        }

        md.Append(".\n\n");
        if (conditional)
        {
            md.Append(
                "Conditional (after hwalsuklee/tensorflow-mnist-CVAE): the label's one-hot vector joins the image at the "
                + "encoder's input and z at the decoder's input, so q(z|x, y) and p(x|z, y); the losses and bounds are given "
                + "the true label, and z is left to hold what the label does not say (the style).\n\n");
        }

        md.Append("## Results after ").Append(summary.Epochs.ToString(Invariant)).Append(" epochs\n\n");
        md.Append("| Z | train loss | train BCE | train KLD | test loss | test BCE | test KLD | test NLL (importance-weighted) | s/epoch | images/s |\n");
        md.Append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (DimResult dim in dims)
        {
            EpochMetrics last = dim.Epochs[^1];
            string nll = dim.TestNll is double value
                ? $"{Nats(value)} (k={dim.NllSamples!.Value.ToString(Invariant)}{(dim.NllImages is int n ? $", {n.ToString(Invariant)} images" : string.Empty)})"
                : "n/a";
            md.Append(Invariant, $"| {dim.Z} | {Nats(last.TrainLoss)} | {Nats(last.TrainBce)} | {Nats(last.TrainKld)} | ")
                .Append(Invariant, $"{Nats(last.TestLoss)} | {Nats(last.TestBce)} | {Nats(last.TestKld)} | {nll} | ")
                .Append(Invariant, $"{dim.Epochs.Average(m => m.Seconds):F1} | {ImagesPerSecond(dim.Epochs):N0} |\n");
        }

        TimeSpan wall = summary.WallTime;
        EpochMetrics[] allEpochs = [.. dims.SelectMany(d => d.Epochs)];
        md.Append("\n## Run\n\n");
        md.Append("- command:\n\n  ```\n  ").Append(summary.Command).Append("\n  ```\n\n");
        md.Append("- git commit: `").Append(summary.GitCommit).Append("`\n");
        md.Append("- accelerator: ").Append(summary.Accelerator).Append(", device: ").Append(summary.Device).Append('\n');
        md.Append("- epochs per dim: ").Append(summary.Epochs.ToString(Invariant)).Append('\n');
        md.Append(Invariant, $"- wall time of the whole run: {(int)wall.TotalHours}:{wall.Minutes:D2}:{wall.Seconds:D2} ({wall.TotalSeconds:F0} s)\n");
        md.Append(Invariant, $"- training throughput over all dims' epochs: {ImagesPerSecond(allEpochs):N0} images/s\n");

        var sections = new (string Title, string Note, (string File, string Alt)[] Images)[]
        {
            ("Reconstructions", "The same test images for every dim. Rows alternate: test images, then their reconstructions.",
                [.. dims.Select(d => ($"dim{d.Z}.png", $"reconstructions, dim {d.Z}"))]),
            ("Samples from the prior",
                conditional
                    ? "Conditional generation: each row one z drawn from N(0, I), each column a digit class, the decoder's means given both."
                    : "Decoder means for z drawn from N(0, I).",
                [.. dims.Select(d => ($"samples_dim{d.Z}.png", $"samples, dim {d.Z}"))]),
            ("Interpolations", "Each row decodes a straight line in z between the codes of two test images.",
                [.. dims.Select(d => ($"interpolation_dim{d.Z}.png", $"interpolation, dim {d.Z}"))]),
            ("Latent space of the dim-2 model", "The decoder's means over a grid of z, and the codes of train and test images.",
                [("manifold.png", "manifold"), .. Enumerable.Range(0, 10).Select(c => ($"manifold_class{c}.png", $"manifold of class {c}")),
                    ("train_z_map.png", "train codes"), ("test_z_map.png", "test codes")]),
            ("Learning curves", "Train solid, test dashed.",
                [.. Enum.GetValues<LossQuantity>().Select(q => (LossCurves.FileName(q), $"{Path.GetFileNameWithoutExtension(LossCurves.FileName(q))} per epoch"))]),
        };
        foreach ((string title, string note, (string File, string Alt)[] images) in sections)
        {
            (string File, string Alt)[] present = [.. images.Where(image => File.Exists(Path.Combine(folder, image.File)))];
            if (present.Length == 0)
            {
                continue;
            }
            md.Append("\n## ").Append(title).Append("\n\n").Append(note).Append('\n');
            foreach ((string file, string alt) in present)
            {
                md.Append("\n**").Append(alt).Append("**\n\n![").Append(alt).Append("](").Append(file).Append(")\n");
            }
        }

        AtomicFile.WriteAllText(path, md.ToString());
    }

    private static void Check(ExperimentSummary summary)
    {
        if (summary.Dims is null || summary.Dims.Count == 0)
        {
            throw new ArgumentException("The summary has no dims.", nameof(summary));
        }
        var seen = new HashSet<int>();
        foreach (DimResult dim in summary.Dims)
        {
            if (!seen.Add(dim.Z))
            {
                throw new ArgumentException($"Dim {dim.Z} appears twice.", nameof(summary));
            }
            if (dim.Epochs is null || dim.Epochs.Count == 0)
            {
                throw new ArgumentException($"Dim {dim.Z} has no epochs.", nameof(summary));
            }
            if (dim.TestNll.HasValue != dim.NllSamples.HasValue)
            {
                throw new ArgumentException($"Dim {dim.Z}: the NLL and its sample count k come together.", nameof(summary));
            }
        }
    }

    private static string Nats(double value) => value.ToString("F2", Invariant);

    // Every epoch trains the same number of images, so the overall rate is the harmonic mean of
    // the epochs' rates (total images over total training seconds), not their arithmetic mean.
    private static double ImagesPerSecond(IEnumerable<EpochMetrics> epochs)
    {
        double secondsPerImage = epochs.Sum(m => 1 / m.ImagesPerSecond);
        return secondsPerImage > 0 ? epochs.Count() / secondsPerImage : 0;
    }
}
