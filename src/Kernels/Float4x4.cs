namespace GpuVae.Kernels;

/// <summary>A GEMM thread's 4 x 4 block of C in locals, one <see cref="Float4"/> per row.</summary>
public readonly struct Float4x4(Float4 row0, Float4 row1, Float4 row2, Float4 row3)
{
    public Float4 Row0 { get; } = row0;

    public Float4 Row1 { get; } = row1;

    public Float4 Row2 { get; } = row2;

    public Float4 Row3 { get; } = row3;
}
