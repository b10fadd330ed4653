namespace GpuVae.Kernels.Verification;

/// <summary>
/// One row of <see cref="KernelCases"/>: an operation at one shape, run on a backend and by
/// its plain .NET reference from the same random inputs.
/// </summary>
/// <param name="Operation">The operation as <see cref="Backend"/> names it (and profiles it).</param>
/// <param name="Run">Returns the reference's and the backend's outputs, flattened alike.</param>
/// <param name="Small">Cheap enough for the kernels a device runs correctly but slowly (<see cref="IKernelChoice.IsSlow"/>).</param>
public sealed record KernelCase(
    string Operation, string Shape, KernelTolerance Tolerance, Func<KernelCaseContext, (float[] Expected, float[] Actual)> Run, bool Small = false)
{
    public string Name => $"{Operation} {Shape}";

    /// <summary>Whether the case tests anything on this backend: not where the backend runs the reference itself.</summary>
    public bool AppliesTo(Backend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return !backend.RunsReference(Operation);
    }
}
