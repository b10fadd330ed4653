using System.Globalization;
using System.Text;
using GpuVae.Model.Training;

namespace GpuVae.Model.Persistence;

/// <summary>
/// metrics.csv: one line per epoch, so `plot` can redraw the curves and the report without
/// training. The same text is committed inside the optimizer checkpoint (see <see cref="Checkpoint"/>). Numbers use the invariant culture and the shortest text that reads back to the
/// same double.
/// </summary>
public static class MetricsCsv
{
    /// <summary>The columns every metrics.csv starts with.</summary>
    public const string Header = "epoch,train_loss,train_bce,train_kld,test_loss,test_bce,test_kld,seconds,images_per_second";

    /// <summary>The epoch's learning rate: after the first columns, in files written since the rate was recorded (empty for an epoch that did not record it).</summary>
    public const string LearningRateColumns = ",learning_rate";

    /// <summary>The columns of a run that holds images out for validation, last.</summary>
    public const string ValidationColumns = ",validation_loss,validation_bce,validation_kld";

    private const int Fields = 9;

    /// <summary>Writes the header and one line per epoch, atomically, creating the folder.</summary>
    public static void Write(string path, IReadOnlyList<EpochMetrics> metrics) => AtomicFile.WriteAllText(path, Text(metrics));

    /// <summary>The header and one line per epoch, as <see cref="Write"/> writes them.</summary>
    public static string Text(IReadOnlyList<EpochMetrics> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        bool learningRate = metrics.Any(m => m?.LearningRate is not null);
        bool validation = metrics.Any(m => m?.Validation is not null);
        var text = new StringBuilder(HeaderOf(learningRate, validation)).Append('\n');
        foreach (EpochMetrics m in metrics)
        {
            ArgumentNullException.ThrowIfNull(m, nameof(metrics));
            text.AppendJoin(
                ',',
                m.Epoch.ToString(CultureInfo.InvariantCulture),
                Format(m.TrainLoss), Format(m.TrainBce), Format(m.TrainKld),
                Format(m.TestLoss), Format(m.TestBce), Format(m.TestKld),
                Format(m.Seconds), Format(m.ImagesPerSecond));
            if (learningRate)
            {
                text.Append(',').Append(m.LearningRate is { } rate ? rate.ToString("R", CultureInfo.InvariantCulture) : string.Empty);
            }

            if (validation)
            {
                var held = m.Validation ?? new HeldOutLosses(double.NaN, double.NaN, double.NaN);
                text.Append(',').AppendJoin(',', Format(held.Loss), Format(held.Bce), Format(held.Kld));
            }

            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>
    /// Reads a file written by <see cref="Write"/>. Throws <see cref="InvalidDataException"/>
    /// naming the file and line when the header differs, a line has the wrong number of
    /// fields, a field is not a number, or epochs are not positive and increasing.
    /// </summary>
    public static IReadOnlyList<EpochMetrics> Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Parse(path, File.ReadAllText(path));
    }

    /// <summary>Reads text written by <see cref="Text"/>, or by a version that wrote fewer columns; errors name source and the line.</summary>
    public static IReadOnlyList<EpochMetrics> Parse(string source, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = new List<string>();
        using (var reader = new StringReader(text))
        {
            while (reader.ReadLine() is { } line)
            {
                lines.Add(line);
            }
        }

        int layout = lines.Count == 0 ? -1 : Array.FindIndex(Layouts, l => HeaderOf(l.LearningRate, l.Validation) == lines[0]);
        if (layout < 0)
        {
            throw Bad(source, 1, $"expected the header \"{HeaderOf(true, false)}\" (with or without its last column, and with \"{ValidationColumns[1..]}\" after it for a run with validation)");
        }

        var (learningRate, validation) = Layouts[layout];
        string[] columns = lines[0].Split(',');
        int fieldCount = columns.Length;
        var metrics = new List<EpochMetrics>(lines.Count - 1);
        for (int i = 1; i < lines.Count; i++)
        {
            int lineNumber = i + 1;
            string[] fields = lines[i].Split(',');
            if (fields.Length != fieldCount)
            {
                throw Bad(source, lineNumber, $"expected {fieldCount} comma-separated fields, found {fields.Length}");
            }
            if (!int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int epoch) || epoch < 1)
            {
                throw Bad(source, lineNumber, $"epoch \"{fields[0]}\" is not a positive integer");
            }
            if (metrics.Count > 0 && epoch <= metrics[^1].Epoch)
            {
                throw Bad(source, lineNumber, $"epoch {epoch} does not follow epoch {metrics[^1].Epoch}");
            }
            var values = new double[fieldCount];
            for (int f = 1; f < fieldCount; f++)
            {
                // An epoch from before the rate was recorded has none.
                if (learningRate && f == Fields && fields[f].Length == 0)
                {
                    values[f] = double.NaN;
                    continue;
                }

                // NaN and infinities are accepted because Write writes them: a diverged run is
                // still a fact worth keeping.
                if (!double.TryParse(fields[f], NumberStyles.Float, CultureInfo.InvariantCulture, out values[f]))
                {
                    throw Bad(source, lineNumber, $"{columns[f]} \"{fields[f]}\" is not a number");
                }
            }

            int held = learningRate ? Fields + 1 : Fields;
            metrics.Add(new EpochMetrics(
                epoch, values[1], values[2], values[3], values[4], values[5], values[6], values[7], values[8],
                validation ? new HeldOutLosses(values[held], values[held + 1], values[held + 2]) : null,
                learningRate && fields[Fields].Length > 0 ? (float)values[Fields] : null));
        }
        return metrics;
    }

    // The headers this version reads: today's, and those of versions that recorded no learning rate.
    private static readonly (bool LearningRate, bool Validation)[] Layouts = [(true, false), (true, true), (false, false), (false, true)];

    private static string HeaderOf(bool learningRate, bool validation) =>
        Header + (learningRate ? LearningRateColumns : string.Empty) + (validation ? ValidationColumns : string.Empty);

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static InvalidDataException Bad(string source, int line, string problem) =>
        new($"{source}, line {line}: {problem}.");
}
