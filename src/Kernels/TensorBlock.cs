using GpuVae.Kernels.Operations;

namespace GpuVae.Kernels;

/// <summary>
/// Tensors allocated together (<see cref="Backend.AllocateBlock"/>): the model's parameters,
/// gradients and Adam moments, each kind one block, so that one update of a whole block is
/// one kernel launch on a GPU rather than one per tensor.
/// </summary>
public sealed class TensorBlock : IDisposable
{
    public TensorBlock(IReadOnlyList<Tensor> parts, Tensor? whole)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentOutOfRangeException.ThrowIfZero(parts.Count);
        int length = 0;
        foreach (var part in parts)
        {
            length = checked(length + part.Length);
        }

        if (whole is not null && whole.Length != length)
        {
            throw new ArgumentException($"the whole block has {whole.Length} elements, its parts {length}", nameof(whole));
        }

        Parts = parts;
        Whole = whole;
        Length = length;
    }

    /// <summary>The tensors, in the order their shapes were given.</summary>
    public IReadOnlyList<Tensor> Parts { get; }

    /// <summary>
    /// All parts as one (1, <see cref="Length"/>) tensor over the same memory, where the backend
    /// lays them out one after another (ILGPU devices); null on the host, where each part is
    /// its own array.
    /// </summary>
    public Tensor? Whole { get; }

    public int Length { get; }

    public void Dispose()
    {
        foreach (var part in Parts)
        {
            part.Dispose();
        }

        Whole?.Dispose();
    }
}
