using GpuVae.Kernels;
using GpuVae.Kernels.Operations;

namespace GpuVae.Tests.Support;

/// <summary>Moves test data onto and off a backend.</summary>
public static class DeviceData
{
    public static Tensor Upload(Backend backend, float[] values, int rows, int cols)
    {
        var tensor = backend.Allocate(rows, cols);
        backend.Upload(tensor, values);
        return tensor;
    }

    /// <summary>A block of these shapes holding values, the parts' elements one after another.</summary>
    public static TensorBlock Upload(Backend backend, float[] values, IReadOnlyList<(int Rows, int Cols)> layout)
    {
        var block = backend.AllocateBlock(layout);
        int offset = 0;
        foreach (var part in block.Parts)
        {
            backend.Upload(part, values.AsSpan(offset, part.Length));
            offset += part.Length;
        }

        return block;
    }

    /// <summary>An output filled with NaN, so any element the kernel fails to write fails the comparison.</summary>
    public static Tensor Poisoned(Backend backend, int rows, int cols)
    {
        var tensor = backend.Allocate(rows, cols);
        backend.Upload(tensor, Enumerable.Repeat(float.NaN, rows * cols).ToArray());
        return tensor;
    }

    public static float[] Download(Backend backend, Tensor tensor)
    {
        var values = new float[tensor.Length];
        backend.Download(tensor, values);
        return values;
    }

    /// <summary>The parts' elements one after another.</summary>
    public static float[] Download(Backend backend, TensorBlock block) => [.. block.Parts.SelectMany(part => Download(backend, part))];

    /// <summary>Step values holding this stream in slot 0, uploaded, and the random stream that names it.</summary>
    public static StepValues UploadStream(Backend backend, ulong stream, out RandomStream random)
    {
        var values = backend.AllocateStepValues(1);
        values.SetStream(0, stream);
        backend.UploadStepValues(values);
        random = new RandomStream(values, 0);
        return values;
    }

    /// <summary>Step values holding this Adam step's scalars, uploaded.</summary>
    public static StepValues UploadAdam(Backend backend, AdamStep step)
    {
        var values = backend.AllocateStepValues(1);
        values.SetAdam(step);
        backend.UploadStepValues(values);
        return values;
    }
}
