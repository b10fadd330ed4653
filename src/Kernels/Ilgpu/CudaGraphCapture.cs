using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace GpuVae.Kernels.Ilgpu;

/// <summary>
/// Records what ILGPU queues on a CUDA stream as a graph (stream capture) and replays it as one
/// launch, through the driver API (<see cref="CudaDriver"/>). ILGPU launches on the
/// accelerator's default stream, which is CUDA's legacy NULL stream, and that stream cannot be
/// captured: <see cref="UseCapturableStream"/> replaces it with a stream of our own.
/// </summary>
internal static class CudaGraphCapture
{
    // ILGPU 1.5.3 has no public way to choose the default stream; its setter is protected, so
    // reflection, bound once to a delegate: siblings switch streams before each operation, and
    // MethodInfo.Invoke would allocate its argument array on every switch.
    private static readonly Action<Accelerator, AcceleratorStream>? DefaultStreamSetter =
        typeof(Accelerator).GetProperty(nameof(Accelerator.DefaultStream))?.GetSetMethod(nonPublic: true)?.CreateDelegate<Action<Accelerator, AcceleratorStream>>();

    /// <summary>
    /// Makes a new stream the accelerator's default, so that every kernel and copy ILGPU queues
    /// goes there. Returns the stream, or null with the reason when this ILGPU has no such setter.
    /// </summary>
    public static CudaStream? UseCapturableStream(CudaAccelerator accelerator, out string reason)
    {
        if (DefaultStreamSetter is null)
        {
            reason = "this ILGPU has no settable default stream to capture on";
            return null;
        }

        var stream = (CudaStream)accelerator.CreateStream();
        UseStream(accelerator, stream);
        reason = string.Empty;
        return stream;
    }

    /// <summary>
    /// Makes one of the accelerator's streams its default again: how backends sharing one
    /// accelerator (<see cref="IlgpuBackend.TryCreateSibling"/>) each queue on their own.
    /// </summary>
    public static void UseStream(Accelerator accelerator, AcceleratorStream stream)
    {
        var setter = DefaultStreamSetter ?? throw new InvalidOperationException("this ILGPU has no settable default stream");
        setter(accelerator, stream);
    }

    public static bool TryCapture(CudaAccelerator accelerator, CudaStream stream, Action enqueue, out CapturedWork? work, out string reason)
    {
        work = null;
        accelerator.Bind();
        accelerator.Synchronize();
        int result;
        try
        {
            result = CudaDriver.StreamBeginCapture(stream.StreamPtr, CudaDriver.CaptureModeRelaxed);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            reason = $"the CUDA driver's graph API is missing: {e.Message}";
            return false;
        }

        if (result != 0)
        {
            reason = $"cuStreamBeginCapture failed: {CudaDriver.ErrorName(result)}";
            return false;
        }

        IntPtr graph;
        try
        {
            enqueue();
        }
        finally
        {
            // Ends the capture also when the work threw, so the stream is usable again.
            result = CudaDriver.StreamEndCapture(stream.StreamPtr, out graph);
        }

        if (result != 0)
        {
            reason = $"cuStreamEndCapture failed: {CudaDriver.ErrorName(result)}";
            return false;
        }

        nuint nodes = 0;
        _ = CudaDriver.GraphGetNodes(graph, IntPtr.Zero, ref nodes);
        result = CudaDriver.GraphInstantiate(out var executable, graph, 0);
        if (result != 0)
        {
            _ = CudaDriver.GraphDestroy(graph);
            reason = $"cuGraphInstantiate failed: {CudaDriver.ErrorName(result)}";
            return false;
        }

        work = new CudaGraphWork(graph, executable, stream.StreamPtr, (int)nodes);
        reason = string.Empty;
        return true;
    }

    /// <summary>An instantiated graph and the stream it replays on.</summary>
    private sealed class CudaGraphWork(IntPtr graph, IntPtr executable, IntPtr stream, int nodes) : CapturedWork
    {
        private IntPtr graph = graph;
        private IntPtr executable = executable;

        public override int Operations => nodes;

        public override void Replay()
        {
            ObjectDisposedException.ThrowIf(executable == IntPtr.Zero, this);
            int result = CudaDriver.GraphLaunch(executable, stream);
            if (result != 0)
            {
                throw new InvalidOperationException($"cuGraphLaunch failed: {CudaDriver.ErrorName(result)}");
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (executable != IntPtr.Zero)
            {
                _ = CudaDriver.GraphExecDestroy(executable);
                _ = CudaDriver.GraphDestroy(graph);
                executable = IntPtr.Zero;
                graph = IntPtr.Zero;
            }
        }
    }
}
