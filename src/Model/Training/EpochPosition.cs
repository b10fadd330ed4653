namespace GpuVae.Model.Training;

/// <summary>
/// How far an interrupted epoch got: the steps it took and their loss sums and time, so a
/// resumed run finishes the epoch with the same shuffle, the same random streams and the
/// same epoch metrics as if it had never stopped.
/// </summary>
public sealed record EpochPosition(int Epoch, int StepsDone, double BceSum, double KldSum, int Images, double Seconds, double? BoundSum = null);
