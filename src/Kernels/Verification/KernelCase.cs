namespace GpuVae.Kernels.Verification;

/// <summary>
/// One row of <see cref="KernelCases"/>: an operation at one shape, run on a backend and by
/// its plain .NET reference from the same random inputs. The same row is what <c>bench</c>
/// times (<see cref="KernelCases.Timed"/>): its run calls the operation through
/// <see cref="KernelCaseContext.Launch"/>, which the benchmark repeats and times.
/// </summary>
/// <param name="Operation">The operation as <see cref="Backend"/> names it (and profiles it).</param>
/// <param name="Work">The size bench prints and the bytes one call moves, from which it computes GB/s.</param>
/// <param name="Run">Returns the reference's and the backend's outputs, flattened alike.</param>
/// <param name="Small">Cheap enough for the kernels a device runs correctly but slowly (<see cref="IKernelChoice.IsSlow"/>).</param>
public sealed record KernelCase(
    string Operation, string Shape, KernelTolerance Tolerance, KernelWork Work, Func<KernelCaseContext, (float[] Expected, float[] Actual)> Run, bool Small = false)
{
    public string Name => $"{Operation} {Shape}";

    /// <summary>The kernel column of bench's table and the name in its JSON: the operation's, unless the row states one.</summary>
    public string TimingName { get; init; } = Operation;

    /// <summary>Whether the case tests anything on this backend: not where the backend runs the reference itself.</summary>
    public bool AppliesTo(Backend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return !backend.RunsReference(Operation);
    }
}
