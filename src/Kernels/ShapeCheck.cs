namespace GpuVae.Kernels;

/// <summary>Shape assertions shared by both backends, so a wrong shape fails the same way on each.</summary>
internal static class ShapeCheck
{
    public static void Same(Tensor a, Tensor b)
    {
        if (a.Rows != b.Rows || a.Cols != b.Cols)
        {
            throw new ArgumentException($"shapes differ: {a} and {b}");
        }
    }

    public static void Is(Tensor tensor, int rows, int cols, string name)
    {
        if (tensor.Rows != rows || tensor.Cols != cols)
        {
            throw new ArgumentException($"{name} is {tensor}, expected ({rows}, {cols})", name);
        }
    }

    /// <summary>Throws unless both blocks hold tensors of the same shapes in the same order.</summary>
    public static void SameLayout(TensorBlock block, TensorBlock other, string name)
    {
        bool same = other.Parts.Count == block.Parts.Count;
        for (int i = 0; same && i < block.Parts.Count; i++)
        {
            same = block.Parts[i].Rows == other.Parts[i].Rows && block.Parts[i].Cols == other.Parts[i].Cols;
        }

        if (!same)
        {
            throw new ArgumentException($"{name} holds [{string.Join(", ", other.Parts)}], expected [{string.Join(", ", block.Parts)}]", name);
        }
    }
}
