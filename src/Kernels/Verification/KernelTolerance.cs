namespace GpuVae.Kernels.Verification;

/// <summary>
/// How far an operation's output may stray from its reference, with where the number comes
/// from. An element's error is |actual - expected| / max(1, |expected|): relative for values of
/// size one and more, absolute below, so values near zero do not inflate it.
/// </summary>
public sealed record KernelTolerance(double MaxError, string Reason)
{
    public static double Error(float expected, float actual) =>
        Math.Abs((double)actual - expected) / Math.Max(1, Math.Abs((double)expected));
}
