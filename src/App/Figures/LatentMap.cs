using GpuVae.Model.Persistence;
using ScottPlot;

namespace GpuVae.App.Figures;

/// <summary>
/// Scatter of 2-D latent codes coloured by digit label, the picture that shows how a Z = 2
/// model arranges the classes.
/// </summary>
public static class LatentMap
{
    /// <summary>Default picture size: the legend takes the extra width, so the data area
    /// stays roughly square.</summary>
    public const int DefaultWidth = 800;

    /// <summary>Default picture height.</summary>
    public const int DefaultHeight = 700;

    private const int Digits = 10;

    private const int PointsPerBlock = 250;

    /// <summary>
    /// Writes codes (N, 2), row-major (z1, z2), with labels (N) in 0..9, as a PNG of
    /// width x height pixels. The title should say whose codes these are and whether they are
    /// posterior means or samples.
    /// </summary>
    public static void Write(
        string path, float[] codes, int[] labels, string title, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(title);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (labels.Length == 0 || codes.Length != 2 * labels.Length)
        {
            throw new ArgumentException(
                $"Expected codes (N, 2) for N = {labels.Length} labels (N >= 1), got {codes.Length} values.", nameof(codes));
        }

        for (int n = 0; n < labels.Length; n++)
        {
            if (labels[n] is < 0 or >= Digits)
            {
                throw new ArgumentException($"Label {n} is {labels[n]}, expected a digit 0..9.", nameof(labels));
            }
        }

        using var plot = new Plot();
        // Category10 gives ten colours that stay distinct from one another.
        var palette = new ScottPlot.Palettes.Category10();
        // Drawn in blocks of input order rather than digit by digit, so where classes overlap the
        // last digit drawn does not cover the others.
        for (int first = 0; first < labels.Length; first += PointsPerBlock)
        {
            int end = Math.Min(first + PointsPerBlock, labels.Length);
            for (int digit = 0; digit < Digits; digit++)
            {
                var xs = new List<double>();
                var ys = new List<double>();
                for (int n = first; n < end; n++)
                {
                    if (labels[n] == digit)
                    {
                        xs.Add(codes[2 * n]);
                        ys.Add(codes[(2 * n) + 1]);
                    }
                }
                if (xs.Count > 0)
                {
                    var points = plot.Add.ScatterPoints(xs, ys, palette.GetColor(digit).WithAlpha(0.7));
                    points.MarkerSize = 4;
                }
            }
        }
        // Every digit gets a legend entry, present or not, with a marker larger than the
        // points' so the colour reads at a glance.
        for (int digit = 0; digit < Digits; digit++)
        {
            plot.Legend.ManualItems.Add(new LegendItem
            {
                LabelText = digit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                MarkerShape = MarkerShape.FilledCircle,
                MarkerSize = 10,
                MarkerFillColor = palette.GetColor(digit),
                MarkerLineColor = palette.GetColor(digit),
            });
        }
        plot.Title(title);
        plot.XLabel("z1");
        plot.YLabel("z2");
        // Equal units on both axes, so distances in the picture are distances in z.
        plot.Axes.SquareUnits();
        plot.Legend.FontSize = 14;
        plot.ShowLegend(Edge.Right);
        AtomicFile.WriteAllBytes(path, plot.GetImageBytes(width, height, ImageFormat.Png));
    }
}
