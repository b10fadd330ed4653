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
    public static NllEstimate Compute(string runDirectory, Vae model, string modelSha256, MnistSet test, int samples, int images, int seed)
    {
        images = Math.Min(images, test.Count);
        if (Read(runDirectory) is { } cached
            && cached.ModelSha256 == modelSha256 && cached.Samples == samples && cached.Images == images && cached.Seed == seed)
        {
            return cached;
        }

        using var inference = new VaeInference(model, (ulong)seed);
        // The conditional VAE's bound is on -log p(x | y), given the true label.
        var labels = model.Config.ReadsLabels ? LabelOneHots.Of(test.Labels.AsSpan(0, images), model.Config.Classes) : default;
        double nll = inference.ImportanceWeightedNll(BinarizedTestSet.For(model.Config, test.Images[..(images * model.Config.Pixels)]), samples, labels);
        AtomicFile.WriteAllText(
            Path.Combine(runDirectory, FileName),
            string.Create(CultureInfo.InvariantCulture, $"{Header}\n{modelSha256},{samples},{images},{seed},{nll:R}\n"));
        return new NllEstimate(modelSha256, samples, images, seed, nll);
    }
}
