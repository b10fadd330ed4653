using GpuVae.Kernels.Operations;
using ILGPU;
using IntView = ILGPU.Runtime.ArrayView1D<int, ILGPU.Stride1D.Dense>;

namespace GpuVae.Kernels;

/// <summary>
/// What a training step reads that changes from one step to the next: the Philox stream of each
/// of its random draws (a slot each: dropout masks, latent noise, corruption, binarization),
/// Adam's scalars with this step's bias corrections, and the batch's rows. The host stages a
/// step's values here and <see cref="Backend.UploadStepValues"/> copies them to the device in
/// order with the queued work. Kernels read them from device memory, never as launch
/// arguments, so a step recorded once (a CUDA graph, <see cref="Backend.TryCapture"/>) and
/// replayed reads each step's own values, and runs bit for bit as the step run op by op.
/// Laid out as 32-bit words: two per stream, five for Adam, then one per row.
/// </summary>
public abstract class StepValues : IDisposable
{
    /// <summary>Random streams a step can hold.</summary>
    public const int StreamSlots = 8;

    private const int AdamWord = 2 * StreamSlots;
    private const int RowsWord = AdamWord + 5;

    protected StepValues(int rowCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowCapacity);
        RowCapacity = rowCapacity;
    }

    /// <summary>The most rows a step can gather.</summary>
    public int RowCapacity { get; }

    /// <summary>The rows staged by the last <see cref="SetRows"/>.</summary>
    public int RowCount { get; private set; }

    /// <summary>The batch's rows as staged on the host.</summary>
    public ReadOnlySpan<int> Rows => Staged.Slice(RowsWord, RowCount);

    /// <summary>The host-side words: staged here, copied to the device by the upload.</summary>
    protected abstract Span<int> Staged { get; }

    /// <summary>Words a block of this many rows takes.</summary>
    public static int Words(int rowCapacity) => RowsWord + rowCapacity;

    public void SetStream(int slot, ulong stream)
    {
        RequireSlot(slot);
        Staged[2 * slot] = unchecked((int)(uint)stream);
        Staged[(2 * slot) + 1] = unchecked((int)(uint)(stream >> 32));
    }

    /// <summary>The stream staged in a slot, as the kernels read it.</summary>
    public ulong Stream(int slot)
    {
        RequireSlot(slot);
        return ((ulong)(uint)Staged[(2 * slot) + 1] << 32) | (uint)Staged[2 * slot];
    }

    /// <summary>
    /// Adam's scalars for this step. The bias corrections are computed here, once, in double
    /// (<see cref="AdamStep.StepSize"/>): with float pow in the kernel an H100 put 3 of
    /// 392,000 parameters of a step-1000 update 2.7e-7 from the reference.
    /// </summary>
    public void SetAdam(AdamStep step)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(step.StepNumber);
        var words = Staged;
        words[AdamWord] = BitConverter.SingleToInt32Bits(step.StepSize);
        words[AdamWord + 1] = BitConverter.SingleToInt32Bits(step.SecondMomentCorrection);
        words[AdamWord + 2] = BitConverter.SingleToInt32Bits(step.Beta1);
        words[AdamWord + 3] = BitConverter.SingleToInt32Bits(step.Beta2);
        words[AdamWord + 4] = BitConverter.SingleToInt32Bits(step.Epsilon);
    }

    /// <summary>The Adam scalars as staged: step size, second-moment correction, beta1, beta2, epsilon.</summary>
    public (float StepSize, float SecondMomentCorrection, float Beta1, float Beta2, float Epsilon) Adam
    {
        get
        {
            var words = Staged;
            return (BitConverter.Int32BitsToSingle(words[AdamWord]), BitConverter.Int32BitsToSingle(words[AdamWord + 1]),
                BitConverter.Int32BitsToSingle(words[AdamWord + 2]), BitConverter.Int32BitsToSingle(words[AdamWord + 3]),
                BitConverter.Int32BitsToSingle(words[AdamWord + 4]));
        }
    }

    public void SetRows(ReadOnlySpan<int> rows)
    {
        if (rows.Length > RowCapacity)
        {
            throw new ArgumentException($"{rows.Length} rows do not fit a block of {RowCapacity}", nameof(rows));
        }

        rows.CopyTo(Staged[RowsWord..]);
        RowCount = rows.Length;
    }

    /// <summary>The stream in a slot, read by a kernel from the device's copy of the words.</summary>
    public static ulong ReadStream(IntView words, int slot) => ((ulong)(uint)words[(2 * slot) + 1] << 32) | (uint)words[2 * slot];

    public static float ReadAdamStepSize(IntView words) => Interop.IntAsFloat((uint)words[AdamWord]);

    public static float ReadAdamSecondMomentCorrection(IntView words) => Interop.IntAsFloat((uint)words[AdamWord + 1]);

    public static float ReadAdamBeta1(IntView words) => Interop.IntAsFloat((uint)words[AdamWord + 2]);

    public static float ReadAdamBeta2(IntView words) => Interop.IntAsFloat((uint)words[AdamWord + 3]);

    public static float ReadAdamEpsilon(IntView words) => Interop.IntAsFloat((uint)words[AdamWord + 4]);

    /// <summary>Row r of the batch, read by a kernel.</summary>
    public static int ReadRow(IntView words, int r) => words[RowsWord + r];

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);

    private static void RequireSlot(int slot) => ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)slot, (uint)StreamSlots, nameof(slot));
}
