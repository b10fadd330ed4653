using System.Globalization;
using GpuVae.App.Figures;
using GpuVae.Kernels;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Model.Training;

namespace GpuVae.App.Experiment;

/// <summary>The per-dimension run folders (out/dim&lt;Z&gt;/) found in an output folder.</summary>
public static class SavedRuns
{
    /// <summary>Every dim folder with a checkpoint or a metrics.csv, by latent dimension: the rows of its last commit.</summary>
    public static SortedDictionary<int, IReadOnlyList<EpochMetrics>> LoadMetrics(string outputDirectory)
    {
        var byDim = new SortedDictionary<int, IReadOnlyList<EpochMetrics>>();
        if (!Directory.Exists(outputDirectory))
        {
            return byDim;
        }

        foreach (string folder in Directory.GetDirectories(outputDirectory, "dim*"))
        {
            if (int.TryParse(Path.GetFileName(folder)[3..], NumberStyles.None, CultureInfo.InvariantCulture, out int dim)
                && (Checkpoint.Exists(folder) || File.Exists(Path.Combine(folder, Checkpoint.MetricsFileName))))
            {
                byDim[dim] = Checkpoint.ReadMetrics(folder);
            }
        }

        return byDim;
    }

    public static string RunDirectory(string outputDirectory, int dim) => Path.Combine(outputDirectory, $"dim{dim}");

    /// <summary>The trained model saved in a run folder, on the given backend.</summary>
    public static Vae LoadModel(string runDirectory, Backend backend)
    {
        var model = new Vae(backend, Checkpoint.ReadConfig(runDirectory));
        try
        {
            Checkpoint.LoadWeights(runDirectory, model);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Loss.png, BCE.png and KLD.png over every saved run; returns the files written.</summary>
    public static IReadOnlyList<string> DrawCurves(string outputDirectory)
    {
        var byDim = LoadMetrics(outputDirectory);
        if (byDim.Count == 0)
        {
            return [];
        }

        LossCurves.WriteAll(outputDirectory, byDim.ToDictionary(pair => pair.Key, pair => pair.Value));
        return Enum.GetValues<LossQuantity>().Select(q => Path.Combine(outputDirectory, LossCurves.FileName(q))).ToList();
    }
}
