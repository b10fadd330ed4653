using System.CommandLine;
using GpuVae.App.Data;
using GpuVae.App.Options;
using GpuVae.Model.Evaluation;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;

namespace GpuVae.App.Commands;

/// <summary>
/// `GpuVae eval`: a saved model's test loss, BCE and KLD, the importance-weighted
/// bound on the test log-likelihood, and for Z &lt;= 2 the exact value by a grid integral.
/// </summary>
public static class EvalCommand
{
    // The midpoint rule's grid: 2,000 points over [-6, 6] are 0.006 apart; 200 an axis at Z = 2
    // are 0.06 apart, 40,000 points, a GEMM of about 1.2 TFLOP for the whole test set.
    private const int DefaultExactPoints1 = 2000;
    private const int DefaultExactPoints2 = 200;

    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A run folder holding model.safetensors, e.g. save/dim20", Required = true };
        var samples = new Option<int>("--samples") { Description = "Importance samples k per image for the log-likelihood bound (0 skips it)", DefaultValueFactory = _ => 1000 };
        var images = new Option<int?>("--images") { Description = "Evaluate the first N test images only (default: all 10,000)" };
        var exactPoints = new Option<int?>("--exact-points")
        {
            Description = $"For Z <= {ExactLikelihood.MaximumLatent}: grid points per latent axis of the exact -log p(x) integral over [-{ExactLikelihood.Range}, {ExactLikelihood.Range}]^Z (default {DefaultExactPoints1} for Z = 1, {DefaultExactPoints2} for Z = 2; 0 skips it)",
        };
        var seed = new Option<int>("--seed") { Description = "Seed of the latent draws", DefaultValueFactory = _ => 0 };
        var data = new DataOption();
        var device = new DeviceOptions();
        var command = new Command("eval", "Evaluate a saved model on the MNIST test set") { checkpoint, samples, images, exactPoints, seed, data.Data };
        foreach (var option in device.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => CommandRunner.Run(_ =>
        {
            string directory = parse.GetValue(checkpoint)!;
            int k = parse.GetValue(samples);
            int? limit = parse.GetValue(images);
            if (k < 0)
            {
                throw new UsageException($"--samples must be 0 or more, got {k}");
            }

            int? points = parse.GetValue(exactPoints);
            if (points is < 0 or 1)
            {
                throw new UsageException($"--exact-points must be 0 or at least 2, got {points}");
            }

            if (limit is <= 0)
            {
                throw new UsageException($"--images must be at least 1, got {limit}");
            }

            string dataFolder = data.Read(parse);
            device.Read(parse);
            var config = Checkpoint.ReadConfig(directory);
            using var backend = device.Create(parse, Console.WriteLine);
            var mnist = MnistData.Load(dataFolder, Console.WriteLine);
            if (mnist.Mismatch(config, directory) is { } mismatch)
            {
                throw new UsageException(mismatch);
            }

            var test = mnist.Test;
            int count = Math.Min(limit ?? test.Count, test.Count);
            // A binarize-trained model is evaluated on the binarized test set, as it was while training.
            var pixels = BinarizedTestSet.For(config, test.Images[..(count * config.Pixels)]).AsSpan();
            using var model = new Vae(backend, config);
            Checkpoint.LoadWeights(directory, model);
            using var inference = new VaeInference(model, (ulong)parse.GetValue(seed));
            // The conditional VAE is scored given each test image's true label: -log p(x | y).
            float[] labels = mnist.TestOneHots(config, count);
            var totals = inference.Evaluate(pixels, labels);
            bool binary = config.Binarization == Binarization.Dynamic;
            Console.WriteLine($"{directory}: {ModelKinds.Name(config.Kind)}, dim {config.Latent}, encoder {HiddenSpecs.Format(config.Encoder)}, decoder {HiddenSpecs.Format(config.Decoder)}, {count} test images"
                + (config.ReadsLabels ? ", each given its true label" : string.Empty)
                + (binary ? $", binarized once with seed 0x{BinarizedTestSet.Seed:X}" : ", grey"));
            Console.WriteLine($"test loss {totals.MeanLoss:F2} | bce {totals.MeanBce:F2} | kld {totals.MeanKld:F2} (nats per image, one z sample each)");
            double? bound = null;
            if (k > 0)
            {
                double nll = inference.ImportanceWeightedNll(pixels, k, labels);
                bound = nll;
                Console.WriteLine($"importance-weighted bound: -log p(x) <= {nll:F2} nats per image (k = {k} samples per image, {count} images); "
                    + (binary
                        ? "binary pixels, so a true bound on a normalized likelihood"
                        : "grey pixels: a bound on the grey-level cross-entropy objective, not on a normalized likelihood"));
            }

            int grid = points ?? (config.Latent == 1 ? DefaultExactPoints1 : DefaultExactPoints2);
            if (config.Latent <= ExactLikelihood.MaximumLatent && grid > 0)
            {
                double exact = ExactNll(model, pixels, grid, config.ReadsLabels ? mnist.LabelsFor(config, test)[..count] : null);
                Console.WriteLine($"exact -log p(x) = {exact:F2} nats per image (midpoint rule, {grid} points an axis over [-{ExactLikelihood.Range}, {ExactLikelihood.Range}]^{config.Latent})"
                    + (bound is { } b ? $"; bound - exact = {b - exact:F2}" : string.Empty) + "; "
                    + (binary ? "a normalized likelihood of the binarized test images" : "grey pixels: the same integral of the grey-level objective, not a normalized likelihood"));
            }

            return CommandRunner.Success;
        }));
        return command;
    }

    /// <summary>The mean exact -log p(x) over images (N, D); for the conditional VAE -log p(x | y), each class's images integrated with that class.</summary>
    private static double ExactNll(Vae model, ReadOnlySpan<float> images, int grid, byte[]? labels)
    {
        if (labels is null)
        {
            return ExactLikelihood.NegativeLogLikelihoods(model, images, grid).Average();
        }

        int d = model.Config.Pixels;
        double total = 0;
        foreach (var group in Enumerable.Range(0, labels.Length).GroupBy(n => labels[n]))
        {
            var pixels = new float[group.Count() * d];
            int i = 0;
            foreach (int n in group)
            {
                images.Slice(n * d, d).CopyTo(pixels.AsSpan(i++ * d));
            }

            total += ExactLikelihood.NegativeLogLikelihoods(model, pixels, grid, group.Key).Sum();
        }

        return total / labels.Length;
    }
}
