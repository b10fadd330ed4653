using GpuVae.App.Data;
using GpuVae.App.Figures;
using GpuVae.Model.Evaluation;
using GpuVae.Model.Network;

namespace GpuVae.App.Experiment;

/// <summary>
/// The pictures of one trained latent dimension:
/// reconstructions of the first test images, samples from the prior, interpolations between
/// test codes, and for Z = 2 the manifold and the latent maps of train and test images. For
/// the conditional VAE every pass reads the label: reconstructions given the true label, the
/// samples as conditional generation (each row one z from the prior, each column a class), no
/// interpolation (z no longer carries the digit, so a path between two test codes changes only
/// the style, which the rows of the samples show), for Z = 2 one manifold per class, and the z
/// maps of the posteriors given the true labels.
/// </summary>
public static class DimensionFigures
{
    private const int ReconstructedImages = 50;
    private const int PerRow = 10;
    private const int Samples = 100;
    private const int InterpolationPairs = 8;
    private const int InterpolationSteps = 10;
    private const int Scale = 2;

    /// <summary>
    /// Draws the pictures of a trained model into outputDirectory, each tile the data's image
    /// size; returns the files written. A picture that needs labels the data lacks (the z maps)
    /// is skipped with one line to log saying so.
    /// </summary>
    public static IReadOnlyList<string> Draw(string outputDirectory, Vae model, MnistData data, int seed, FigureOptions options, Action<string>? log = null)
    {
        using var inference = new VaeInference(model, (ulong)seed);
        int z = model.Config.Latent, d = model.Config.Pixels;
        int tileRows = model.Config.ImageRows, tileCols = model.Config.ImageCols;
        var written = new List<string>();
        float[] test = BinarizedTestSet.For(model.Config, data.Test.Images);

        var config = model.Config;
        float[] originals = test[..(ReconstructedImages * d)];
        string reconstructions = Path.Combine(outputDirectory, $"dim{z}.png");
        DigitGrid.WriteReconstructions(
            reconstructions, originals, inference.Reconstruct(originals, data.TestOneHots(config, ReconstructedImages)), ReconstructedImages, PerRow, Scale, tileRows: tileRows, tileCols: tileCols);
        written.Add(reconstructions);

        string samples = Path.Combine(outputDirectory, $"samples_dim{z}.png");
        if (config.ReadsLabels)
        {
            // Row r is z_r in every column, column c decodes it as class c.
            int rows = Samples / PerRow, classes = config.Classes;
            var priorCodes = PriorSamples(rows * z, seed);
            var codes = new float[rows * classes * z];
            for (int tile = 0; tile < rows * classes; tile++)
            {
                priorCodes.AsSpan(tile / classes * z, z).CopyTo(codes.AsSpan(tile * z));
            }

            byte[] tileClasses = [.. Enumerable.Range(0, rows * classes).Select(tile => (byte)(tile % classes))];
            DigitGrid.Write(samples, inference.Decode(codes, LabelOneHots.Of(tileClasses, classes)), rows, classes, Scale, tileRows: tileRows, tileCols: tileCols);
        }
        else
        {
            DigitGrid.Write(samples, inference.Decode(PriorSamples(Samples * z, seed)), Samples / PerRow, PerRow, Scale, tileRows: tileRows, tileCols: tileCols);
        }

        written.Add(samples);

        if (!config.ReadsLabels)
        {
            string interpolation = Path.Combine(outputDirectory, $"interpolation_dim{z}.png");
            var endpoints = inference.EncodeMeans(test[..(2 * InterpolationPairs * d)]);
            DigitGrid.Write(interpolation, inference.Decode(Interpolate(endpoints, z)), InterpolationPairs, InterpolationSteps, Scale, tileRows: tileRows, tileCols: tileCols);
            written.Add(interpolation);
        }

        if (z == 2)
        {
            var grid = ManifoldGrid(options);
            int tiles = options.ManifoldSize * options.ManifoldSize;
            foreach (int label in config.ReadsLabels ? Enumerable.Range(0, config.Classes) : [-1])
            {
                string manifold = Path.Combine(outputDirectory, label < 0 ? "manifold.png" : $"manifold_class{label}.png");
                var probabilities = label < 0 ? inference.Decode(grid) : inference.Decode(grid, LabelOneHots.Repeat(label, tiles, config.Classes));
                DigitGrid.Write(manifold, probabilities, options.ManifoldSize, options.ManifoldSize, 1, tileRows: tileRows, tileCols: tileCols);
                written.Add(manifold);
            }

            foreach (var (name, images, labels) in new[] { ("train", data.Train.Images, data.Train.Labels), ("test", test, data.Test.Labels) })
            {
                if (labels is null)
                {
                    log?.Invoke($"{name}_z_map.png skipped: the z maps colour each code by its label, and the data has no {name} label file ({(name == "train" ? Mnist.TrainLabels : Mnist.TestLabels)})");
                    continue;
                }

                int count = Math.Min(options.ZMapImages, labels.Length);
                string map = Path.Combine(outputDirectory, $"{name}_z_map.png");
                LatentMap.Write(
                    map,
                    inference.EncodeMeans(images.AsSpan(0, count * d), config.ReadsLabels ? LabelOneHots.Of(labels.AsSpan(0, count), config.Classes) : default),
                    Array.ConvertAll(labels[..count], label => (int)label),
                    $"{name} set: posterior means of {count} images, dim 2");
                written.Add(map);
            }
        }

        return written;
    }

    /// <summary>(N, Z) draws from the prior N(0, I), seeded.</summary>
    private static float[] PriorSamples(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        return values;
    }

    /// <summary>Rows of codes on the straight line from test code 2p to test code 2p + 1.</summary>
    private static float[] Interpolate(float[] endpoints, int z)
    {
        var codes = new float[InterpolationPairs * InterpolationSteps * z];
        for (int pair = 0; pair < InterpolationPairs; pair++)
        {
            for (int step = 0; step < InterpolationSteps; step++)
            {
                float t = step / (float)(InterpolationSteps - 1);
                for (int j = 0; j < z; j++)
                {
                    float from = endpoints[(2 * pair * z) + j], to = endpoints[(((2 * pair) + 1) * z) + j];
                    codes[(((pair * InterpolationSteps) + step) * z) + j] = from + (t * (to - from));
                }
            }
        }

        return codes;
    }

    /// <summary>
    /// The size x size grid over [-range, range]^2, laid out as a plot reads: z1 grows to
    /// the right, z2 grows upwards.
    /// </summary>
    private static float[] ManifoldGrid(FigureOptions options)
    {
        int n = options.ManifoldSize;
        var codes = new float[n * n * 2];
        for (int row = 0; row < n; row++)
        {
            for (int col = 0; col < n; col++)
            {
                codes[((row * n) + col) * 2] = -options.ManifoldRange + (2 * options.ManifoldRange * col / (n - 1));
                codes[(((row * n) + col) * 2) + 1] = options.ManifoldRange - (2 * options.ManifoldRange * row / (n - 1));
            }
        }

        return codes;
    }
}
