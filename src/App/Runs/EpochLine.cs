using GpuVae.Model.Training;

namespace GpuVae.App.Runs;

/// <summary>The fixed-column one-line summary printed after each epoch; a sweep's dims, trained side by side, each begin theirs with the dim.</summary>
public static class EpochLine
{
    public static string Header =>
        "epoch |  steps | train loss    bce    kld | test loss    bce    kld | ms/step |  img/s | seconds";

    public static string DimHeader => "dim | " + Header;

    public static string ForDim(int dim, string line) => $"{dim,3} | {line}";

    public static string Format(EpochMetrics m, int totalEpochs, int steps, int batch) =>
        $"{m.Epoch,2}/{totalEpochs,-2} | {steps,6} | {m.TrainLoss,10:F2} {m.TrainBce,6:F2} {m.TrainKld,6:F2} | {m.TestLoss,9:F2} {m.TestBce,6:F2} {m.TestKld,6:F2} | "
        + $"{1000.0 * batch / m.ImagesPerSecond,7:F2} | {m.ImagesPerSecond,6:F0} | {m.Seconds,7:F1}"
        + (m.Validation is { } v ? $" | validation {v.Loss:F2} {v.Bce:F2} {v.Kld:F2}" : string.Empty);
}
