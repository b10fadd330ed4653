namespace GpuVae.Kernels.Verification;

/// <summary>
/// What one call of a case's operation does, as <c>bench</c> reports it: the size it prints
/// (the rows and columns of the tensor the operation maps, or of its one weight) and the bytes
/// the call moves. The bytes are napkin math, stated beside each case: every tensor of the
/// case's size read or written once, 4 bytes an element; a row of biases or a column of
/// per-row results, a few hundred bytes against tens of kilobytes, is left out.
/// </summary>
public readonly record struct KernelWork(int Rows, int Cols, long Bytes)
{
    /// <summary>Rows by cols, with this many tensors of that size read or written.</summary>
    public static KernelWork Tensors(int rows, int cols, int tensors) => new(rows, cols, (long)tensors * rows * cols * sizeof(float));
}
