using GpuVae.App.Data;
using GpuVae.App.Figures;
using GpuVae.Kernels;
using GpuVae.Model;

namespace GpuVae.App.Experiment;

/// <summary>
/// Everything the latent-dimension experiment shows, from the runs saved in an output
/// folder: each dim's pictures and importance-weighted NLL, the learning curves of all
/// dims, and report.md.
/// </summary>
public static class ExperimentOutputs
{
    public const string ReportFileName = "report.md";

    /// <summary>Draws every dim's pictures and the learning curves, and returns each dim's results for the report.</summary>
    /// <param name="nll">How to estimate the NLL; null reuses the estimates cached beside each run.</param>
    public static IReadOnlyList<DimResult> Draw(
        string outputDirectory, Backend backend, MnistData data, int seed, FigureOptions figures, NllOptions? nll, TextWriter log)
    {
        var results = new List<DimResult>();
        foreach (var (dim, history) in SavedRuns.LoadMetrics(outputDirectory))
        {
            string runDirectory = SavedRuns.RunDirectory(outputDirectory, dim);
            if (!Checkpoint.HasWeights(runDirectory) || history.Count == 0)
            {
                // Committed results keep only dim 2's weights: the other dims' pictures stay as
                // drawn, and their NLL comes from the cache beside the metrics.
                var cached = NllEstimate.Read(runDirectory);
                log.WriteLine($"dim {dim}: no weights in {runDirectory}; its pictures are left as they are");
                results.Add(new DimResult(dim, history, cached?.Nll, cached?.Samples, cached?.Images));
                continue;
            }

            using var model = SavedRuns.LoadModel(runDirectory, backend);
            var written = DimensionFigures.Draw(outputDirectory, model, data, seed, figures);
            var estimate = nll is null
                ? NllEstimate.Read(runDirectory)
                : NllEstimate.Compute(runDirectory, model, history.Count, data.Test, nll.Samples, nll.Images, seed);
            log.WriteLine($"dim {dim}: {string.Join(", ", written.Select(Path.GetFileName))}"
                + (estimate is null ? string.Empty : $"; test NLL <= {estimate.Nll:F2} (k = {estimate.Samples}, {estimate.Images} images)"));
            results.Add(new DimResult(dim, history, estimate?.Nll, estimate?.Samples, estimate?.Images));
        }

        if (results.Count == 0)
        {
            throw new InvalidDataException($"{outputDirectory}: no saved runs (dim<Z>/{Training.DimensionRun.MetricsFileName}) to draw");
        }

        SavedRuns.DrawCurves(outputDirectory);
        return results;
    }

    /// <summary>report.md over the results <see cref="Draw"/> returned, with the run's facts.</summary>
    public static void WriteReport(string outputDirectory, IReadOnlyList<DimResult> results, RunFacts facts, TextWriter log)
    {
        string path = Path.Combine(outputDirectory, ReportFileName);
        ExperimentReport.Write(
            path,
            new ExperimentSummary(facts.Command, facts.GitCommit, facts.Accelerator, facts.Device, facts.Epochs, TimeSpan.FromSeconds(facts.WallSeconds), results));
        log.WriteLine($"wrote {path} and the learning curves");
    }
}
