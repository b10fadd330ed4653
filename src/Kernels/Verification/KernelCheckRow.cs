namespace GpuVae.Kernels.Verification;

/// <summary>
/// One line of <c>GpuVae check</c>: a case on one backend with one kernel against its
/// reference, with the worst element (<see cref="KernelTolerance.Error"/>) and where it was.
/// </summary>
public sealed record KernelCheckRow(
    KernelCase Case, string Kernel, double MaxError, int WorstIndex, float Expected, float Actual)
{
    /// <summary>The case's wall time: inputs, reference and kernel.</summary>
    public double Milliseconds { get; init; }

    /// <summary>NaN errors (an unwritten or broken output) fail.</summary>
    public bool Pass => MaxError <= Case.Tolerance.MaxError;

    public override string ToString() =>
        $"{Case.Name}{(Kernel.Length > 0 ? $" [{Kernel}]" : string.Empty)}: error {MaxError:E2} (tolerance {Case.Tolerance.MaxError:E2}: {Case.Tolerance.Reason}); "
        + $"worst at [{WorstIndex}]: expected {Expected:R}, actual {Actual:R}";
}
