namespace GpuVae;

/// <summary>
/// One finished epoch of <see cref="VaeTrainer.Train"/>, as the command line prints it and
/// metrics.csv records it. Losses are nats per image: the train numbers are means over the
/// epoch's batches with dropout on, the test and validation numbers cover the whole set
/// without dropout. Loss is BCE + beta * KLD (for the importance-weighted objective, the train
/// loss is the bound).
/// </summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Epochs">The epochs the run trains in all.</param>
/// <param name="TrainLoss">The training loss.</param>
/// <param name="TrainBce">The training reconstruction term, binary cross-entropy.</param>
/// <param name="TrainKld">The training KL divergence from the prior.</param>
/// <param name="TestLoss">The test set's loss.</param>
/// <param name="TestBce">The test set's binary cross-entropy.</param>
/// <param name="TestKld">The test set's KL divergence.</param>
/// <param name="ValidationLoss">The held-out images' loss; null when none are held out.</param>
/// <param name="Seconds">Training time of the epoch (the test evaluation excluded).</param>
/// <param name="ImagesPerSecond">Training images per second.</param>
public sealed record EpochReport(
    int Epoch,
    int Epochs,
    double TrainLoss,
    double TrainBce,
    double TrainKld,
    double TestLoss,
    double TestBce,
    double TestKld,
    double? ValidationLoss,
    double Seconds,
    double ImagesPerSecond);
