using System.Globalization;
using GpuVae.App.Data;
using GpuVae.Model;

namespace GpuVae.App.Experiment;

/// <summary>
/// A run's importance-weighted test NLL, cached in out/dim&lt;Z&gt;/nll.csv with what it was
/// computed from (epoch, k, images), so `plot` and a continued sweep reuse it instead of
/// spending minutes recomputing it, and a retrained model never shows a stale number.
/// </summary>
public sealed record NllEstimate(int Epoch, int Samples, int Images, double Nll)
{
    public const string FileName = "nll.csv";
    private const string Header = "epoch,samples,images,nll";

    public static NllEstimate? Read(string runDirectory)
    {
        string path = Path.Combine(runDirectory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        string[] lines = File.ReadAllLines(path);
        string[] fields = lines.Length == 2 && lines[0] == Header ? lines[1].Split(',') : [];
        return fields.Length == 4
            && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int epoch)
            && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int samples)
            && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out int images)
            && double.TryParse(fields[3], NumberStyles.Float, CultureInfo.InvariantCulture, out double nll)
            ? new NllEstimate(epoch, samples, images, nll)
            : throw new InvalidDataException($"{path}: expected the header '{Header}' and one row of numbers");
    }

    /// <summary>The cached estimate when it matches the checkpoint and the request, else a new one, saved.</summary>
    public static NllEstimate Compute(string runDirectory, Vae model, int epoch, MnistSet test, int samples, int images, int seed)
    {
        images = Math.Min(images, test.Count);
        if (Read(runDirectory) is { } cached && cached.Epoch == epoch && cached.Samples == samples && cached.Images == images)
        {
            return cached;
        }

        using var inference = new VaeInference(model, (ulong)seed);
        double nll = inference.ImportanceWeightedNll(test.Images.AsSpan(0, images * model.Config.Pixels), samples);
        var estimate = new NllEstimate(epoch, samples, images, nll);
        AtomicFile.WriteAllText(
            Path.Combine(runDirectory, FileName),
            string.Create(CultureInfo.InvariantCulture, $"{Header}\n{epoch},{samples},{images},{nll:R}\n"));
        return estimate;
    }
}
