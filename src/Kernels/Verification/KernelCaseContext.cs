using GpuVae.Kernels.Operations;

namespace GpuVae.Kernels.Verification;

/// <summary>
/// The backend a case runs on, its random source, the uploads and downloads every case needs,
/// and how its operation is launched: once when checking, repeated and timed when benchmarking.
/// </summary>
/// <param name="launch">
/// Runs the operation a case hands <see cref="Launch"/>; none runs it once. <c>bench</c> passes
/// its timing here (<see cref="Benchmarks.KernelBenchmark"/>).
/// </param>
public sealed class KernelCaseContext(Backend backend, Random random, Action<Action>? launch = null)
{
    public Backend Backend { get; } = backend;

    /// <summary>
    /// Runs the case's operation, and nothing else: every case calls its backend operation
    /// through here exactly once, so that the code that checks a case is the code that times it.
    /// When timed, the operation runs many times over the same inputs, and the outputs the case
    /// then returns are not compared.
    /// </summary>
    public void Launch(Action operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (launch is null)
        {
            operation();
        }
        else
        {
            launch(operation);
        }
    }

    /// <summary>Uniform in [-scale, scale).</summary>
    public float[] Uniform(int length, float scale = 1)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = scale * ((2 * random.NextSingle()) - 1);
        }

        return values;
    }

    public int Next(int maxExclusive) => random.Next(maxExclusive);

    public ulong NextSeed() => (ulong)random.NextInt64();

    public Tensor Upload(float[] values, int rows, int cols)
    {
        var tensor = Backend.Allocate(rows, cols);
        Backend.Upload(tensor, values);
        return tensor;
    }

    public TensorBlock Upload(float[] values, IReadOnlyList<(int Rows, int Cols)> layout)
    {
        var block = Backend.AllocateBlock(layout);
        int offset = 0;
        foreach (var part in block.Parts)
        {
            Backend.Upload(part, values.AsSpan(offset, part.Length));
            offset += part.Length;
        }

        return block;
    }

    /// <summary>
    /// Step values on the backend with the stream in a slot picked at random and other
    /// random streams in the rest, uploaded: a kernel that reads the wrong slot draws other bits.
    /// </summary>
    public StepValues UploadStream(ulong stream, out RandomStream random)
    {
        var values = Backend.AllocateStepValues(1);
        for (int slot = 0; slot < StepValues.StreamSlots; slot++)
        {
            values.SetStream(slot, NextSeed());
        }

        random = new RandomStream(values, Next(StepValues.StreamSlots));
        values.SetStream(random.Slot, stream);
        Backend.UploadStepValues(values);
        return values;
    }

    /// <summary>Step values holding these batch rows, uploaded.</summary>
    public StepValues UploadRows(int[] rows)
    {
        var values = Backend.AllocateStepValues(rows.Length);
        values.SetRows(rows);
        Backend.UploadStepValues(values);
        return values;
    }

    /// <summary>Step values holding this Adam step's scalars, uploaded.</summary>
    public StepValues UploadAdam(AdamStep step)
    {
        var values = Backend.AllocateStepValues(1);
        values.SetAdam(step);
        Backend.UploadStepValues(values);
        return values;
    }

    /// <summary>NaN-filled: an element the kernel fails to write makes the error NaN, which fails.</summary>
    public Tensor Poisoned(int rows, int cols) => Upload(Enumerable.Repeat(float.NaN, rows * cols).ToArray(), rows, cols);

    public float[] Download(params Tensor[] tensors)
    {
        var values = new List<float>();
        foreach (var tensor in tensors)
        {
            var part = new float[tensor.Length];
            Backend.Download(tensor, part);
            values.AddRange(part);
        }

        return [.. values];
    }

    public float[] Download(TensorBlock block) => Download([.. block.Parts]);
}
