namespace GpuVae.Kernels;

/// <summary>Shape assertions shared by both backends, so a wrong shape fails the same way on each.</summary>
public static class ShapeCheck
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
}
