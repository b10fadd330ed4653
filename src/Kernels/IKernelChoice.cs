namespace GpuVae.Kernels;

/// <summary>
/// One operation family a backend can run with more than one kernel (GEMM tilings, reduction
/// shapes, SIMD widths), and which of them it runs now. Checks and benchmarks select each
/// kernel in turn through this, whatever the backend, so that a kernel that is timed or
/// picked by a user has been checked on the same device.
/// </summary>
public interface IKernelChoice
{
    /// <summary>What varies: "gemm", "reduction", "philox".</summary>
    string Name { get; }

    /// <summary>The operations (as <see cref="Backend"/> names them) whose kernel this choice picks.</summary>
    IReadOnlyList<string> Operations { get; }

    /// <summary>Every kernel that computes correctly here, the preferred one first.</summary>
    IReadOnlyList<string> Kernels { get; }

    string Selected { get; }

    /// <summary>
    /// Whether a kernel is correct but far too slow here for anything but small checks (barrier
    /// kernels on ILGPU's CPU accelerator): checks run it on the small cases only, benchmarks never.
    /// </summary>
    bool IsSlow(string kernel);

    /// <summary>Runs <paramref name="kernel"/> until the returned scope is disposed, then the kernel selected before.</summary>
    IDisposable Select(string kernel);
}
