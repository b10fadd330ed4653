namespace GpuVae.Kernels.Verification;

/// <summary>One line of <c>GpuVae check</c>: a kernel at one shape against its host reference.</summary>
public sealed record KernelCheckRow(string Kernel, string Shape, double MaxError, double Tolerance)
{
    /// <summary>NaN errors (an unwritten or broken output) fail.</summary>
    public bool Pass => MaxError <= Tolerance;
}
