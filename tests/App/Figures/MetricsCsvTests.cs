using GpuVae.Model.Persistence;
using GpuVae.Model.Training;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App.Figures;

public sealed class MetricsCsvTests
{
    private static List<EpochMetrics> RandomMetrics(int epochs, int seed)
    {
        var random = new Random(seed);
        double Next() => (2 * random.NextDouble()) - 1;
        return [.. Enumerable.Range(1, epochs).Select(e => new EpochMetrics(
            e, 150 * Next(), 140 * Next(), 10 * Next(), 1e-300 * Next(), 1e300 * Next(), Next(), 9.25, 6000.5 * Next()))];
    }

    [Fact]
    public void RoundTripsExactly()
    {
        using var folder = new TempFolder();
        string path = folder.File("dim2/metrics.csv");
        List<EpochMetrics> metrics = RandomMetrics(7, 31);
        // Write keeps what a diverged run produces.
        metrics[3] = metrics[3] with { TrainLoss = double.NaN, TestKld = double.PositiveInfinity };

        MetricsCsv.Write(path, metrics);

        Assert.Equal(metrics, MetricsCsv.Read(path));
        Assert.Equal(MetricsCsv.Header, File.ReadLines(path).First());
        Assert.Empty(folder.TempFiles());
    }

    [Fact]
    public void ValidationColumnsRoundTripAndTheOldColumnSetStillReads()
    {
        using var folder = new TempFolder();
        string path = folder.File("metrics.csv");
        var metrics = RandomMetrics(3, 33).Select((m, i) => m with { Validation = new HeldOutLosses(100.5 + i, 90.25, 1e-300) }).ToList();

        MetricsCsv.Write(path, metrics);

        Assert.Equal(MetricsCsv.Header + ",validation_loss,validation_bce,validation_kld", File.ReadLines(path).First());
        Assert.Equal(metrics, MetricsCsv.Read(path));
        File.WriteAllText(path, MetricsCsv.Header + "\n1,1,2,3,4,5,6,7,8\n");
        Assert.Null(Assert.Single(MetricsCsv.Read(path)).Validation);
    }

    [Fact]
    public void LearningRatesRoundTripBeforeTheValidationColumnsAndEpochsWithoutOneStayWithout()
    {
        using var folder = new TempFolder();
        string path = folder.File("metrics.csv");
        // A run resumed across the upgrade: its first epochs recorded no rate.
        var metrics = RandomMetrics(4, 35).Select((m, i) => m with
        {
            Validation = new HeldOutLosses(100.5 + i, 90.25, 3.5),
            LearningRate = i < 2 ? null : 7.2e-4f / (i + 1),
        }).ToList();

        MetricsCsv.Write(path, metrics);

        Assert.Equal(MetricsCsv.Header + ",learning_rate,validation_loss,validation_bce,validation_kld", File.ReadLines(path).First());
        Assert.Equal(metrics, MetricsCsv.Read(path));
        File.WriteAllText(path, MetricsCsv.Header + ",learning_rate\n1,1,2,3,4,5,6,7,8,0.001\n2,1,2,3,4,5,6,7,8,x\n");
        var error = Assert.Throws<InvalidDataException>(() => MetricsCsv.Read(path));
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("learning_rate \"x\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OverwritesAndReadsAnEmptyList()
    {
        using var folder = new TempFolder();
        string path = folder.File("metrics.csv");
        MetricsCsv.Write(path, RandomMetrics(3, 32));

        MetricsCsv.Write(path, []);

        Assert.Empty(MetricsCsv.Read(path));
        Assert.Equal([MetricsCsv.Header], File.ReadAllLines(path));
    }

    [Theory]
    [InlineData("", 1, "header")]
    [InlineData("epoch,train_loss\n", 1, "header")]
    [InlineData("HEADER\n1,1,2,3,4,5,6,7,8\n2,1,2,3,4,5,6,7\n", 3, "expected 9 comma-separated fields, found 8")]
    [InlineData("HEADER\n1,1,2,3,4,5,6,7,8\n2,1,2,3,4,5,six,7,8\n", 3, "test_kld \"six\" is not a number")]
    [InlineData("HEADER\n1,1,2,3,4,5,6,7,8\n\n", 3, "found 1")]
    [InlineData("HEADER\n1.5,1,2,3,4,5,6,7,8\n", 2, "epoch \"1.5\" is not a positive integer")]
    [InlineData("HEADER\n0,1,2,3,4,5,6,7,8\n", 2, "epoch \"0\" is not a positive integer")]
    [InlineData("HEADER\n1,1,2,3,4,5,6,7,8\n2,1,2,3,4,5,6,7,8\n2,1,2,3,4,5,6,7,8\n", 4, "epoch 2 does not follow epoch 2")]
    [InlineData("HEADER\n1,1;5,2,3,4,5,6,7,8\n", 2, "train_loss \"1;5\" is not a number")]
    [InlineData("HEADER,validation_loss,validation_bce,validation_kld\n1,1,2,3,4,5,6,7,8\n", 2, "expected 12 comma-separated fields, found 9")]
    [InlineData("HEADER,validation_loss,validation_bce,validation_kld\n1,1,2,3,4,5,6,7,8,9,x,11\n", 2, "validation_bce \"x\" is not a number")]
    public void BadContentNamesFileAndLine(string content, int line, string problem)
    {
        using var folder = new TempFolder();
        string path = folder.File("metrics.csv");
        File.WriteAllText(path, content.Replace("HEADER", MetricsCsv.Header, StringComparison.Ordinal));

        var error = Assert.Throws<InvalidDataException>(() => MetricsCsv.Read(path));

        Assert.StartsWith($"{path}, line {line}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}
