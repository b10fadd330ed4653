using GpuVae.App.Data;
using GpuVae.App.Figures;
using GpuVae.Kernels;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Model.Training;

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
    /// <param name="nll">How to estimate the NLL; null reuses the estimates cached beside each run when they were computed from its weights.</param>
    public static IReadOnlyList<DimResult> Draw(
        string outputDirectory, Backend backend, MnistData data, int seed, FigureOptions figures, NllOptions? nll, TextWriter log)
    {
        var runs = SavedRuns.LoadMetrics(outputDirectory);
        if (runs.Count == 0)
        {
            throw new InvalidDataException($"{outputDirectory}: no saved runs (dim<Z>/{Checkpoint.MetricsFileName}) to draw");
        }

        // Each dim on a backend of its own when their NLLs are estimated, so that on CUDA the
        // estimates run side by side; pictures alone need no CUDA siblings.
        using var backends = ConcurrentBackends.Create(backend, nll is null ? 1 : runs.Count);
        // Every dim's weights load (and pass their checks) before the first picture is drawn,
        // so a bad checkpoint leaves the folder as it was.
        var models = new Dictionary<int, Vae>();
        try
        {
            foreach (var (dim, history) in runs)
            {
                string runDirectory = SavedRuns.RunDirectory(outputDirectory, dim);
                if (Checkpoint.HasWeights(runDirectory) && history.Count > 0)
                {
                    models[dim] = SavedRuns.LoadModel(runDirectory, backends[nll is null ? 0 : models.Count]);
                    if (data.Mismatch(models[dim].Config, runDirectory) is { } mismatch)
                    {
                        throw new UsageException(mismatch);
                    }

                    if (models[dim].Config.ReadsLabels)
                    {
                        data.LabelsFor(models[dim].Config, data.Test);
                    }
                }
            }

            var estimates = nll is null ? null : EstimateNll(outputDirectory, models, data, seed, nll);
            var results = runs.Select(run => DrawDim(outputDirectory, run.Key, run.Value, models.GetValueOrDefault(run.Key), data, seed, figures, estimates, log)).ToList();
            SavedRuns.DrawCurves(outputDirectory);
            return results;
        }
        finally
        {
            foreach (var model in models.Values)
            {
                model.Dispose();
            }
        }
    }

    /// <summary>Every loaded dim's NLL estimate, computed in lockstep over the dims (or reused from its cache), by dim.</summary>
    private static Dictionary<int, NllEstimate> EstimateNll(string outputDirectory, Dictionary<int, Vae> models, MnistData data, int seed, NllOptions nll)
    {
        var dims = models.Keys.ToList();
        var runs = dims.Select(dim =>
        {
            string runDirectory = SavedRuns.RunDirectory(outputDirectory, dim);
            return new NllRun(runDirectory, models[dim], Checkpoint.WeightsSha256(runDirectory));
        }).ToList();
        var estimates = NllEstimate.ComputeAll(runs, data.Test, nll.Samples, nll.Images, seed);
        return dims.Select((dim, i) => (dim, i)).ToDictionary(pair => pair.dim, pair => estimates[pair.i]);
    }

    /// <param name="estimates">Each dim's estimate when asked for (<see cref="EstimateNll"/>); null reuses the cached ones made from the same weights.</param>
    private static DimResult DrawDim(
        string outputDirectory, int dim, IReadOnlyList<EpochMetrics> history, Vae? model, MnistData data, int seed, FigureOptions figures,
        Dictionary<int, NllEstimate>? estimates, TextWriter log)
    {
        string runDirectory = SavedRuns.RunDirectory(outputDirectory, dim);
        if (model is null)
        {
            // Committed results keep only dim 2's weights: the other dims' pictures stay as
            // drawn, and their NLL comes from the cache beside the metrics, which nothing
            // here can have made stale.
            var kept = NllEstimate.Read(runDirectory);
            log.WriteLine($"dim {dim}: no weights in {runDirectory}; its pictures are left as they are");
            return new DimResult(dim, history, kept?.Nll, kept?.Samples, kept?.Images);
        }

        var written = DimensionFigures.Draw(outputDirectory, model, data, seed, figures, log.WriteLine);
        NllEstimate? estimate;
        string note = string.Empty;
        if (estimates is null)
        {
            var cached = NllEstimate.Read(runDirectory);
            estimate = cached?.ModelSha256 == Checkpoint.WeightsSha256(runDirectory) ? cached : null;
            if (cached is not null && estimate is null)
            {
                note = $"; its {NllEstimate.FileName} was not computed from these weights, so no NLL is reported (a sweep recomputes it)";
            }
        }
        else
        {
            estimate = estimates[dim];
        }

        log.WriteLine($"dim {dim}: {string.Join(", ", written.Select(Path.GetFileName))}"
            + (estimate is null ? string.Empty : $"; test NLL <= {estimate.Nll:F2} (k = {estimate.Samples}, {estimate.Images} images)") + note);
        return new DimResult(
            dim, history, estimate?.Nll, estimate?.Samples, estimate?.Images, model.Config.Binarization == Binarization.Dynamic, model.Config.ReadsLabels);
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
