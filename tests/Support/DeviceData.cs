using GpuVae.Kernels;
using GpuVae.Kernels.Verification;

namespace GpuVae.Tests.Support;

/// <summary>
/// Moves test data onto and off a backend through the kernel table's own <see cref="KernelCaseContext"/>,
/// for tests that hold a backend rather than a context.
/// </summary>
public static class DeviceData
{
    public static Tensor Upload(Backend backend, float[] values, int rows, int cols) => On(backend).Upload(values, rows, cols);

    /// <summary>A block of these shapes holding values, the parts' elements one after another.</summary>
    public static TensorBlock Upload(Backend backend, float[] values, IReadOnlyList<(int Rows, int Cols)> layout) => On(backend).Upload(values, layout);

    /// <summary>An output filled with NaN, so any element the kernel fails to write fails the comparison.</summary>
    public static Tensor Poisoned(Backend backend, int rows, int cols) => On(backend).Poisoned(rows, cols);

    public static float[] Download(Backend backend, Tensor tensor) => On(backend).Download(tensor);

    /// <summary>The parts' elements one after another.</summary>
    public static float[] Download(Backend backend, TensorBlock block) => On(backend).Download(block);

    /// <summary>Step values holding this stream in one slot and other streams in the rest, uploaded, and the random stream that names it.</summary>
    public static StepValues UploadStream(Backend backend, ulong stream, out RandomStream random) => On(backend).UploadStream(stream, out random);

    /// <summary>Step values holding this Adam step's scalars, uploaded.</summary>
    public static StepValues UploadAdam(Backend backend, AdamStep step) => On(backend).UploadAdam(step);

    /// <summary>A context whose own draws (the other streams' slots) are fixed: the tests' inputs come from their logged seeds.</summary>
    private static KernelCaseContext On(Backend backend) => new(backend, new Random(0));
}
