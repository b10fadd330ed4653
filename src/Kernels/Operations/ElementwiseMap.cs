using GpuVae.Kernels.Host;
using GpuVae.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using FloatView = ILGPU.Runtime.ArrayView1D<float, ILGPU.Stride1D.Dense>;
using IntView = ILGPU.Runtime.ArrayView1D<int, ILGPU.Stride1D.Dense>;

namespace GpuVae.Kernels.Operations;

/// <summary>
/// Runs any <see cref="IElementwiseMap"/>: one host loop and one ILGPU kernel, generic over the
/// map, which the JIT and ILGPU each specialize per map type with its Apply inlined. The
/// references to test against are the maps' own, in their family files.
/// </summary>
internal static class ElementwiseMap
{
    /// <summary>The host's version: the map over cores in chunks.</summary>
    public static void Host<TMap>(TMap map, float[] y, float[] x, ulong stream, int length)
        where TMap : struct, IElementwiseMap
    {
        var job = (map, y, x, stream);
        HostParallel.For(length, ref job, static (ref job, start, end) =>
        {
            for (int i = start; i < end; i++)
            {
                job.y[i] = job.map.Apply(job.x[i], i, job.stream);
            }
        });
    }

    /// <summary>y[i] = map.Apply(x[i], i, stream) with the stream in a slot of the step's values; grid-stride over the elements.</summary>
    public static void Kernel<TMap>(FloatView y, FloatView x, TMap map, IntView step, int slot, int length)
        where TMap : struct, IElementwiseMap
    {
        ulong stream = StepValues.ReadStream(step, slot);
        int stride = Launch.Step;
        for (int i = Launch.Start; i < length; i += stride)
        {
            y[i] = map.Apply(x[i], i, stream);
        }
    }

    /// <summary>Loads each map's kernel on one accelerator the first time it runs there, then launches it.</summary>
    internal sealed class Launcher(Accelerator accelerator)
    {
        private readonly Dictionary<Type, Delegate> kernels = [];

        public void Run<TMap>(TMap map, FloatView y, FloatView x, IntView step, int slot, int length)
            where TMap : struct, IElementwiseMap
        {
            Launch.Require(y, length, nameof(y));
            Launch.Require(x, length, nameof(x));
            if (!kernels.TryGetValue(typeof(TMap), out var kernel))
            {
                kernel = accelerator.LoadStreamKernel<FloatView, FloatView, TMap, IntView, int, int>(Kernel);
                kernels.Add(typeof(TMap), kernel);
            }

            ((Action<KernelConfig, FloatView, FloatView, TMap, IntView, int, int>)kernel)(Launch.GridStride(accelerator, length), y, x, map, step, slot, length);
        }
    }
}
