namespace GpuVae.Kernels.Verification;

/// <summary>
/// One row of <see cref="KernelCases"/>: an operation at one shape, run on a backend and by
/// its plain .NET reference from the same random inputs.
/// </summary>
/// <param name="Operation">The operation as <see cref="Backend"/> names it (and profiles it).</param>
/// <param name="HostRunsReference">
/// The host backend runs the reference itself for this operation, so a host row would compare
/// the reference with itself: checks and tests leave the host out.
/// </param>
/// <param name="Run">Returns the reference's and the backend's outputs, flattened alike.</param>
/// <param name="Small">Cheap enough for the kernels a device runs correctly but slowly (<see cref="IKernelChoice.IsSlow"/>).</param>
public sealed record KernelCase(
    string Operation, string Shape, KernelTolerance Tolerance, bool HostRunsReference, Func<KernelCaseContext, (float[] Expected, float[] Actual)> Run, bool Small = false)
{
    public string Name => $"{Operation} {Shape}";

    public bool AppliesTo(Backend backend) => !(HostRunsReference && backend is Host.HostBackend);
}
