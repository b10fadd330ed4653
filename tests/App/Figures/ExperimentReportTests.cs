using System.Text.RegularExpressions;
using GpuVae.App.Figures;
using GpuVae.Model.Training;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App.Figures;

public sealed partial class ExperimentReportTests
{
    private static readonly int[] Dims = [2, 4, 8, 10, 20, 100];

    private static DimResult Result(int z, int epochs, bool withNll) => new(
        z,
        [.. Enumerable.Range(1, epochs).Select(e => new EpochMetrics(e, 100 + z + e, 90, 10 + z, 98 + z + e, 88, 10 + z, 12, 5000))],
        withNll ? 95.5 + z : null,
        withNll ? 5000 : null);

    private static ExperimentSummary Summary(IEnumerable<DimResult> dims) => new(
        "GpuVae sweep --dims 2,4,8,10,20,100 --epochs 3", "abc1234", "CPU", "host, 2 cores", 3, TimeSpan.FromSeconds(3725), [.. dims]);

    [GeneratedRegex(@"\]\(([^)]+)\)")]
    private static partial Regex Link();

    [Fact]
    public void ListsEveryDimAndLinksOnlyExistingImages()
    {
        using var folder = new TempFolder();
        string[] present = ["dim2.png", "dim100.png", "samples_dim8.png", "interpolation_dim2.png", "manifold.png", "test_z_map.png", "Loss.png", "KLD.png"];
        foreach (string file in present)
        {
            File.WriteAllBytes(folder.File(file), [0]);
        }
        // Not one of the report's images, and dim 3 is not in the sweep: neither may be linked.
        File.WriteAllBytes(folder.File("dim3.png"), [0]);
        File.WriteAllBytes(folder.File("other.png"), [0]);
        string path = folder.File("report.md");

        ExperimentReport.Write(path, Summary(Dims.Reverse().Select(z => Result(z, 3, withNll: z != 100))));

        string report = File.ReadAllText(path);
        foreach (int z in Dims)
        {
            Assert.Matches($@"(?m)^\| {z} \| {100 + z + 3}\.00 \|", report);
        }
        Assert.Contains($"| {95.5 + 2:F2} (k=5000) |", report, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\| 100 \|.*\| n/a \|", report);
        string[] links = [.. Link().Matches(report).Select(m => m.Groups[1].Value)];
        Assert.Equal(present.Order(StringComparer.Ordinal), links.Order(StringComparer.Ordinal));
        Assert.Contains("GpuVae sweep --dims 2,4,8,10,20,100 --epochs 3", report, StringComparison.Ordinal);
        Assert.Contains("abc1234", report, StringComparison.Ordinal);
        Assert.Contains("1:02:05", report, StringComparison.Ordinal);
        Assert.Empty(folder.TempFiles());
    }

    [Fact]
    public void SaysWhichNllsAreOnANormalizedLikelihood()
    {
        using var folder = new TempFolder();
        string grey = folder.File("grey.md"), binary = folder.File("binary.md");
        ExperimentReport.Write(grey, Summary([Result(2, 1, withNll: true)]));
        ExperimentReport.Write(binary, Summary([Result(2, 1, withNll: true) with { Binarized = true }]));

        Assert.Contains("not the negative log of a normalized likelihood", File.ReadAllText(grey), StringComparison.Ordinal);
        string report = File.ReadAllText(binary);
        Assert.Contains("Z = 2 trained on dynamically binarized MNIST", report, StringComparison.Ordinal);
        Assert.Contains("binarized once from seed 0x5EED_B1A5, so their NLL is a bound on a normalized likelihood.", report, StringComparison.Ordinal);
        Assert.DoesNotContain("not the negative log", report, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribesTheConditionalVaeAndLinksItsPerClassManifolds()
    {
        using var folder = new TempFolder();
        foreach (string file in new[] { "samples_dim2.png", "manifold_class0.png", "manifold_class9.png" })
        {
            File.WriteAllBytes(folder.File(file), [0]);
        }

        string plain = folder.File("plain.md"), conditional = folder.File("conditional.md");
        ExperimentReport.Write(plain, Summary([Result(2, 1, withNll: false)]));
        ExperimentReport.Write(conditional, Summary([Result(2, 1, withNll: false) with { Conditional = true }]));

        string report = File.ReadAllText(conditional);
        Assert.StartsWith("# Conditional variational autoencoder on MNIST", report, StringComparison.Ordinal);
        Assert.Contains("each row one z drawn from N(0, I), each column a digit class", report, StringComparison.Ordinal);
        Assert.Equal(["samples_dim2.png", "manifold_class0.png", "manifold_class9.png"], Link().Matches(report).Select(m => m.Groups[1].Value));
        Assert.StartsWith("# Variational autoencoder on MNIST", File.ReadAllText(plain), StringComparison.Ordinal);
        Assert.DoesNotContain("digit class", File.ReadAllText(plain), StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutImagesHasNoImageSections()
    {
        using var folder = new TempFolder();
        string path = folder.File("save/report.md");

        ExperimentReport.Write(path, Summary([Result(2, 1, withNll: false)]));

        string report = File.ReadAllText(path);
        Assert.Matches(@"(?m)^\| 2 \|", report);
        Assert.Empty(Link().Matches(report));
    }

    [Fact]
    public void RejectsInconsistentSummaries()
    {
        using var folder = new TempFolder();
        string path = folder.File("report.md");
        Assert.Throws<ArgumentException>(() => ExperimentReport.Write(path, Summary([])));
        Assert.Throws<ArgumentException>(() => ExperimentReport.Write(path, Summary([Result(2, 1, true), Result(2, 2, true)])));
        Assert.Throws<ArgumentException>(() => ExperimentReport.Write(path, Summary([Result(2, 0, true)])));
        Assert.Throws<ArgumentException>(() => ExperimentReport.Write(path, Summary([Result(2, 1, true) with { NllSamples = null }])));
        Assert.False(File.Exists(path));
    }
}
