namespace GpuVae.Model.Training;

/// <summary>
/// One epoch's record: losses are nats per image (means over images). Train numbers are the
/// mean over the epoch's batches with dropout on; test numbers cover the whole test set
/// with dropout off. Validation covers the images held out of training (--validation), when any are.
/// LearningRate is the epoch's Adam rate; null in metrics written before it was recorded.
/// </summary>
public sealed record EpochMetrics(
    int Epoch,
    double TrainLoss,
    double TrainBce,
    double TrainKld,
    double TestLoss,
    double TestBce,
    double TestKld,
    double Seconds,
    double ImagesPerSecond,
    HeldOutLosses? Validation = null,
    float? LearningRate = null);
