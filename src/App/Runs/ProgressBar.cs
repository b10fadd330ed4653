using GpuVae.Model.Training;

namespace GpuVae.App.Runs;

/// <summary>
/// Redraws one console line per step on a terminal: the epoch's bar, running loss, the
/// epoch's learning rate, images/s and the epoch's ETA. When output is redirected (logs, CI) it prints a line each quarter
/// epoch instead, so logs stay readable. A sweep's bar begins with its dim (<paramref name="label"/>).
/// </summary>
public sealed class ProgressBar(TextWriter output, bool interactive, string label = "") : IProgress<TrainingProgress>
{
    private const int Width = 30;
    private int lastQuarter;
    private DateTime lastDraw;

    public void Report(TrainingProgress p)
    {
        if (interactive)
        {
            // Redrawing more than ~20 times a second costs more than it shows.
            if (p.Step != p.StepsPerEpoch && DateTime.UtcNow - lastDraw < TimeSpan.FromMilliseconds(50))
            {
                return;
            }

            lastDraw = DateTime.UtcNow;
            int filled = Width * p.Step / p.StepsPerEpoch;
            output.Write($"\r{label}epoch {p.Epoch,3} [{new string('#', filled)}{new string('.', Width - filled)}] {p.Step,5}/{p.StepsPerEpoch} | {Status(p)}   ");
            if (p.Step == p.StepsPerEpoch)
            {
                output.Write('\r' + new string(' ', label.Length + Width + 120) + '\r');
            }
        }
        else
        {
            int quarter = 4 * p.Step / p.StepsPerEpoch;
            if (p.Step == 1)
            {
                lastQuarter = 0;
            }

            if (quarter > lastQuarter && p.Step != p.StepsPerEpoch)
            {
                lastQuarter = quarter;
                output.WriteLine($"{label}epoch {p.Epoch,3} step {p.Step,5}/{p.StepsPerEpoch} | {Status(p)}");
            }
        }
    }

    /// <summary>The running losses, rate and time left: formatted only for a line that is drawn, not on every step.</summary>
    private static string Status(TrainingProgress p)
    {
        double imagesPerSecond = p.ImagesSeen / Math.Max(p.Elapsed.TotalSeconds, 1e-9);
        var eta = TimeSpan.FromSeconds(p.Elapsed.TotalSeconds / p.Step * (p.StepsPerEpoch - p.Step));
        return $"loss {p.RunningLoss,8:F2} (bce {p.RunningBce:F2}, kld {p.RunningKld:F2}) | lr {p.LearningRate:G3} | {imagesPerSecond,6:F0} img/s | eta {eta:mm\\:ss}";
    }
}
