namespace GpuVae.Model.Training;

/// <summary>Mean loss, BCE and KL per image of a held-out set, evaluated as the test set is: no dropout, one z sample.</summary>
public sealed record HeldOutLosses(double Loss, double Bce, double Kld);
