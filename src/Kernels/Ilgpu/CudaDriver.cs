using System.Runtime.InteropServices;

namespace GpuVae.Kernels.Ilgpu;

/// <summary>
/// The few CUDA driver API calls ILGPU 1.5.3 does not wrap: stream capture and graphs. They
/// act on ILGPU's own context and stream (its CudaStream.StreamPtr); libcuda.so.1 is the name
/// every driver installs, and the same library ILGPU opens as libcuda.so.
/// </summary>
internal static partial class CudaDriver
{
    private const string Library = "libcuda.so.1";

    /// <summary>CU_STREAM_CAPTURE_MODE_RELAXED: other threads' CUDA calls (ILGPU's, the runtime's) do not break the capture.</summary>
    public const int CaptureModeRelaxed = 2;

    [LibraryImport(Library, EntryPoint = "cuStreamBeginCapture_v2")]
    public static partial int StreamBeginCapture(IntPtr stream, int mode);

    [LibraryImport(Library, EntryPoint = "cuStreamEndCapture")]
    public static partial int StreamEndCapture(IntPtr stream, out IntPtr graph);

    [LibraryImport(Library, EntryPoint = "cuGraphInstantiateWithFlags")]
    public static partial int GraphInstantiate(out IntPtr executable, IntPtr graph, ulong flags);

    [LibraryImport(Library, EntryPoint = "cuGraphGetNodes")]
    public static partial int GraphGetNodes(IntPtr graph, IntPtr nodes, ref nuint count);

    [LibraryImport(Library, EntryPoint = "cuGraphLaunch")]
    public static partial int GraphLaunch(IntPtr executable, IntPtr stream);

    [LibraryImport(Library, EntryPoint = "cuGraphExecDestroy")]
    public static partial int GraphExecDestroy(IntPtr executable);

    [LibraryImport(Library, EntryPoint = "cuGraphDestroy")]
    public static partial int GraphDestroy(IntPtr graph);

    [LibraryImport(Library, EntryPoint = "cuGetErrorName")]
    private static partial int GetErrorName(int error, out IntPtr name);

    /// <summary>The driver's name for a result code, as "CUDA_ERROR_..." (or the number if the driver has none).</summary>
    public static string ErrorName(int result) =>
        GetErrorName(result, out var name) == 0 && name != IntPtr.Zero ? Marshal.PtrToStringAnsi(name) ?? $"CUresult {result}" : $"CUresult {result}";
}
