namespace GpuVae.Kernels.Operations;

/// <summary>Eight ints held in locals: the row or column offsets of a GEMM kernel's 8x8 block.</summary>
internal readonly struct Int32x8(int v0, int v1, int v2, int v3, int v4, int v5, int v6, int v7)
{
    public int V0 { get; } = v0;

    public int V1 { get; } = v1;

    public int V2 { get; } = v2;

    public int V3 { get; } = v3;

    public int V4 { get; } = v4;

    public int V5 { get; } = v5;

    public int V6 { get; } = v6;

    public int V7 { get; } = v7;
}
