using GpuVae.App.Figures;
using GpuVae.Model.Training;
using GpuVae.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace GpuVae.Tests.App.Figures;

public sealed class LossCurvesTests
{
    private static Dictionary<int, IReadOnlyList<EpochMetrics>> ThreeDimsFiveEpochs()
    {
        var random = new Random(5);
        var byDim = new Dictionary<int, IReadOnlyList<EpochMetrics>>();
        foreach (int z in new[] { 20, 2, 8 })
        {
            byDim[z] = [.. Enumerable.Range(1, 5).Select(e =>
            {
                double bce = 150 - (5 * e) - z + random.NextDouble(), kld = 5 + z - (1.0 / e);
                return new EpochMetrics(e, bce + kld, bce, kld, bce + kld - 3, bce - 3, kld, 10, 6000);
            })];
        }
        return byDim;
    }

    [Fact]
    public void WriteAllMakesThreeChartsOfTheDefaultSize()
    {
        using var folder = new TempFolder();

        LossCurves.WriteAll(folder.Path, ThreeDimsFiveEpochs());

        foreach (string name in new[] { "Loss.png", "BCE.png", "KLD.png" })
        {
            using Image<Rgba32> image = Image.Load<Rgba32>(folder.File(name));
            Assert.Equal((800, 600), (image.Width, image.Height));
        }
        Assert.Empty(folder.TempFiles());
    }

    [Theory]
    [InlineData(LossQuantity.Loss)]
    [InlineData(LossQuantity.Bce)]
    [InlineData(LossQuantity.Kld)]
    public void WritesEachQuantityAtTheRequestedSize(LossQuantity quantity)
    {
        using var folder = new TempFolder();
        string path = folder.File($"new/{LossCurves.FileName(quantity)}");

        LossCurves.Write(path, ThreeDimsFiveEpochs(), quantity, 641, 479);

        using Image<Rgba32> image = Image.Load<Rgba32>(path);
        Assert.Equal((641, 479), (image.Width, image.Height));
        int colours = Pixels.DistinctColours(image);
        Assert.True(colours > 10, $"only {colours} distinct colours");
    }

    [Fact]
    public void RejectsEmptyInput()
    {
        using var folder = new TempFolder();
        Assert.Throws<ArgumentException>(
            () => LossCurves.Write(folder.File("Loss.png"), new Dictionary<int, IReadOnlyList<EpochMetrics>>(), LossQuantity.Loss));
        Assert.Throws<ArgumentException>(
            () => LossCurves.Write(folder.File("Loss.png"), new Dictionary<int, IReadOnlyList<EpochMetrics>> { [2] = [] }, LossQuantity.Loss));
    }
}
