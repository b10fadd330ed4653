using GpuVae.Model.Persistence;
using GpuVae.Model.Training;
using ScottPlot;

namespace GpuVae.App.Figures;

/// <summary>
/// Per-epoch curves of one quantity for every latent dimension of a sweep: one colour per
/// dim, train solid, test dashed.
/// </summary>
public static class LossCurves
{
    /// <summary>Default picture width.</summary>
    public const int DefaultWidth = 800;

    /// <summary>Default picture height.</summary>
    public const int DefaultHeight = 600;

    /// <summary>The file name the report expects for a quantity's chart: Loss.png, BCE.png, KLD.png.</summary>
    public static string FileName(LossQuantity quantity) => quantity switch
    {
        LossQuantity.Loss => "Loss.png",
        LossQuantity.Bce => "BCE.png",
        LossQuantity.Kld => "KLD.png",
        _ => throw new ArgumentOutOfRangeException(nameof(quantity), quantity, null),
    };

    /// <summary>Writes the three charts, Loss.png, BCE.png and KLD.png, into <paramref name="folder"/>.</summary>
    public static void WriteAll(
        string folder, IReadOnlyDictionary<int, IReadOnlyList<EpochMetrics>> byDim,
        int width = DefaultWidth, int height = DefaultHeight)
    {
        foreach (LossQuantity quantity in Enum.GetValues<LossQuantity>())
        {
            Write(Path.Combine(folder, FileName(quantity)), byDim, quantity, width, height);
        }
    }

    /// <summary>
    /// Writes one chart of <paramref name="quantity"/> against epoch, a line per dim (Z ->
    /// its epochs in order), as a PNG of width x height pixels.
    /// </summary>
    public static void Write(
        string path, IReadOnlyDictionary<int, IReadOnlyList<EpochMetrics>> byDim, LossQuantity quantity,
        int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(byDim);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (byDim.Count == 0)
        {
            throw new ArgumentException("No dims to plot.", nameof(byDim));
        }
        (string shortName, string meaning) = quantity switch
        {
            LossQuantity.Loss => ("loss", "negative ELBO"),
            LossQuantity.Bce => ("BCE", "reconstruction"),
            LossQuantity.Kld => ("KLD", "posterior to prior"),
            _ => throw new ArgumentOutOfRangeException(nameof(quantity), quantity, null),
        };

        using var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        const float lineWidth = 2;
        int index = 0;
        foreach ((int dim, IReadOnlyList<EpochMetrics> epochs) in byDim.OrderBy(pair => pair.Key))
        {
            if (epochs is null || epochs.Count == 0)
            {
                throw new ArgumentException($"Dim {dim} has no epochs.", nameof(byDim));
            }
            Color color = palette.GetColor(index++);
            double[] x = [.. epochs.Select(m => (double)m.Epoch)];
            AddLine(plot, x, [.. epochs.Select(m => Value(m, quantity, test: false))], color, lineWidth, LinePattern.Solid);
            AddLine(plot, x, [.. epochs.Select(m => Value(m, quantity, test: true))], color, lineWidth, LinePattern.Dashed);
            plot.Legend.ManualItems.Add(new LegendItem
            {
                LabelText = $"dim {dim}",
                LineColor = color,
                LineWidth = lineWidth,
            });
        }
        // The line style is shared by every dim, so the legend explains it once, in black.
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "train", LineColor = Colors.Black, LineWidth = lineWidth });
        plot.Legend.ManualItems.Add(new LegendItem
        {
            LabelText = "test",
            LineColor = Colors.Black,
            LineWidth = lineWidth,
            LinePattern = LinePattern.Dashed,
        });

        plot.Title($"{shortName} ({meaning}) per epoch: train solid, test dashed");
        plot.XLabel("epoch");
        plot.YLabel($"{shortName} (nats per image)");
        plot.Legend.FontSize = 14;
        // Long enough symbols for a dash pattern to show as dashes rather than one short stroke.
        plot.Legend.SymbolWidth = 40;
        plot.ShowLegend(Edge.Right);
        AtomicFile.WriteAllBytes(path, plot.GetImageBytes(width, height, ImageFormat.Png));
    }

    private static double Value(EpochMetrics m, LossQuantity quantity, bool test) => quantity switch
    {
        LossQuantity.Loss => test ? m.TestLoss : m.TrainLoss,
        LossQuantity.Bce => test ? m.TestBce : m.TrainBce,
        _ => test ? m.TestKld : m.TrainKld,
    };

    private static void AddLine(Plot plot, double[] x, double[] y, Color color, float width, LinePattern pattern)
    {
        var line = plot.Add.ScatterLine(x, y, color);
        line.LineWidth = width;
        line.LinePattern = pattern;
    }
}
