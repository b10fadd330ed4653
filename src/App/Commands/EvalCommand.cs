using System.CommandLine;
using GpuVae.App.Data;
using GpuVae.App.Options;
using GpuVae.Model;

namespace GpuVae.App.Commands;

/// <summary>
/// `GpuVae eval`: a saved model's test loss, BCE and KLD, and the importance-weighted
/// bound on the test log-likelihood.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A run folder holding model.safetensors, e.g. save/dim20", Required = true };
        var samples = new Option<int>("--samples") { Description = "Importance samples k per image for the log-likelihood bound (0 skips it)", DefaultValueFactory = _ => 1000 };
        var images = new Option<int?>("--images") { Description = "Evaluate the first N test images only (default: all 10,000)" };
        var seed = new Option<int>("--seed") { Description = "Seed of the latent draws", DefaultValueFactory = _ => 0 };
        var data = new DataOption();
        var device = new DeviceOptions();
        var command = new Command("eval", "Evaluate a saved model on the MNIST test set") { checkpoint, samples, images, seed, data.Data };
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

            if (limit is <= 0)
            {
                throw new UsageException($"--images must be at least 1, got {limit}");
            }

            string dataFolder = data.Read(parse);
            device.Read(parse);
            var config = Checkpoint.ReadConfig(directory);
            using var backend = device.Create(parse, Console.WriteLine);
            var test = MnistData.Load(dataFolder, Console.WriteLine).Test;
            int count = Math.Min(limit ?? test.Count, test.Count);
            // A binarize-trained model is evaluated on the binarized test set, as it was while training.
            var pixels = BinarizedTestSet.For(config, test.Images[..(count * config.Pixels)]).AsSpan();
            using var model = new Vae(backend, config);
            Checkpoint.LoadWeights(directory, model);
            using var inference = new VaeInference(model, (ulong)parse.GetValue(seed));
            var totals = inference.Evaluate(pixels);
            bool binary = config.Binarization == Binarization.Dynamic;
            Console.WriteLine($"{directory}: dim {config.Latent}, hidden {config.Hidden}, {count} test images"
                + (binary ? $", binarized once with seed 0x{BinarizedTestSet.Seed:X}" : ", grey"));
            Console.WriteLine($"test loss {totals.MeanLoss:F2} | bce {totals.MeanBce:F2} | kld {totals.MeanKld:F2} (nats per image, one z sample each)");
            if (k > 0)
            {
                double nll = inference.ImportanceWeightedNll(pixels, k);
                Console.WriteLine($"importance-weighted bound: -log p(x) <= {nll:F2} nats per image (k = {k} samples per image, {count} images); "
                    + (binary
                        ? "binary pixels, so a true bound on a normalized likelihood"
                        : "grey pixels: a bound on the grey-level cross-entropy objective, not on a normalized likelihood"));
            }

            return CommandRunner.Success;
        }));
        return command;
    }
}
