using GpuVae.App.Experiment;
using GpuVae.App.Runs;
using GpuVae.Kernels.Host;
using GpuVae.Model.Network;
using GpuVae.Model.Training;
using GpuVae.Tests.Support;
using SixLabors.ImageSharp;
using Xunit;

namespace GpuVae.Tests.App;

/// <summary>The experiment's pictures and report from tiny trained models, and `plot` from saved files alone.</summary>
public sealed class ExperimentOutputsTests
{
    private static readonly int[] Dims = [2, 3];

    [Fact]
    public void SweepOutputsArePngsOfTheDocumentedSizesAndPlotRedrawsThemFromSavedFiles()
    {
        var data = RealMnist.Load();
        using var folder = new TempFolder();
        using var backend = new HostBackend();
        foreach (int dim in Dims)
        {
            var settings = new RunSettings(
                new VaeConfig(dim, Hidden: 16), new TrainingOptions { Epochs = 2, BatchSize = 64 }, RepositoryPaths.MnistCache, folder.Path, "host", 0, Resume: false, TrainLimit: 256);
            DimensionRun.Train(settings, backend, data, TextWriter.Null, interactive: false, CancellationToken.None);
        }

        var figures = new FigureOptions(ManifoldSize: 5, ManifoldRange: 1.5f, ZMapImages: 300);
        var facts = new RunFacts("GpuVae sweep --dims 2,3", "abc1234", "host", backend.DeviceName, 2, 12);
        var results = ExperimentOutputs.Draw(folder.Path, backend, data, 0, figures, new NllOptions(Samples: 3, Images: 20), TextWriter.Null);
        ExperimentOutputs.WriteReport(folder.Path, results, facts, TextWriter.Null);

        // DigitGrid: width = cols * 28 + (cols - 1) * 2 before the scale (2 for all but the manifold).
        AssertPng(folder.File("manifold.png"), (5 * 28) + (4 * 2), (5 * 28) + (4 * 2));
        foreach (int dim in Dims)
        {
            AssertPng(folder.File($"samples_dim{dim}.png"), 2 * ((10 * 28) + (9 * 2)), 2 * ((10 * 28) + (9 * 2)));
            AssertPng(folder.File($"interpolation_dim{dim}.png"), 2 * ((10 * 28) + (9 * 2)), 2 * ((8 * 28) + (7 * 2)));
            Assert.True(File.Exists(folder.File($"dim{dim}.png")));
        }

        foreach (string chart in new[] { "Loss.png", "BCE.png", "KLD.png", "train_z_map.png", "test_z_map.png" })
        {
            using var image = Image.Load(folder.File(chart));
            Assert.True(image.Width >= 400 && image.Height >= 300, $"{chart} is {image.Width}x{image.Height}");
        }

        string report = File.ReadAllText(folder.File(ExperimentOutputs.ReportFileName));
        foreach (int dim in Dims)
        {
            Assert.Contains($"| {dim} |", report, StringComparison.Ordinal);
            Assert.Contains($"(dim{dim}.png)", report, StringComparison.Ordinal);
        }

        Assert.Contains("k=3, 20 images", report, StringComparison.Ordinal);

        // plot: only the saved files are left, the pictures are gone; it draws them again and
        // reuses the cached NLL instead of recomputing it.
        foreach (string png in Directory.GetFiles(folder.Path, "*.png"))
        {
            File.Delete(png);
        }

        File.Delete(folder.File(ExperimentOutputs.ReportFileName));
        results = ExperimentOutputs.Draw(folder.Path, backend, data, 0, figures, nll: null, TextWriter.Null);
        ExperimentOutputs.WriteReport(folder.Path, results, facts, TextWriter.Null);
        AssertPng(folder.File("manifold.png"), (5 * 28) + (4 * 2), (5 * 28) + (4 * 2));
        Assert.True(File.Exists(folder.File("samples_dim3.png")));
        Assert.Contains("k=3, 20 images", File.ReadAllText(folder.File(ExperimentOutputs.ReportFileName)), StringComparison.Ordinal);
        Assert.Empty(folder.TempFiles());
    }

    private static void AssertPng(string path, int width, int height)
    {
        var format = Image.DetectFormat(path);
        Assert.Equal("PNG", format.Name);
        using var image = Image.Load(path);
        Assert.Equal((width, height), (image.Width, image.Height));
    }
}
