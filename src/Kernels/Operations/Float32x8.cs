namespace GpuVae.Kernels.Operations;

/// <summary>
/// Eight floats held in locals: one row of a GEMM kernel's register block. Kernels cannot use
/// System.Numerics vectors on .NET 8 and later (ILGPU rejects their AsVector128 helpers), so
/// this plain struct stands in.
/// </summary>
internal readonly struct Float32x8(float v0, float v1, float v2, float v3, float v4, float v5, float v6, float v7)
{
    public float V0 { get; } = v0;

    public float V1 { get; } = v1;

    public float V2 { get; } = v2;

    public float V3 { get; } = v3;

    public float V4 { get; } = v4;

    public float V5 { get; } = v5;

    public float V6 { get; } = v6;

    public float V7 { get; } = v7;

    /// <summary>this + x * y, lane by lane.</summary>
    public Float32x8 MultiplyAdd(float x, Float32x8 y) => new(
        V0 + (x * y.V0), V1 + (x * y.V1), V2 + (x * y.V2), V3 + (x * y.V3),
        V4 + (x * y.V4), V5 + (x * y.V5), V6 + (x * y.V6), V7 + (x * y.V7));
}
