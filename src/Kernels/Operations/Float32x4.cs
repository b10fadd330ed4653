namespace GpuVae.Kernels.Operations;

/// <summary>Four floats held in locals: one row of a GEMM thread's 4 x 4 block (see <see cref="Float32x8"/>).</summary>
internal readonly struct Float32x4(float v0, float v1, float v2, float v3)
{
    public float V0 { get; } = v0;

    public float V1 { get; } = v1;

    public float V2 { get; } = v2;

    public float V3 { get; } = v3;

    /// <summary>this + x * y, lane by lane.</summary>
    public Float32x4 MultiplyAdd(float x, Float32x4 y) => new(V0 + (x * y.V0), V1 + (x * y.V1), V2 + (x * y.V2), V3 + (x * y.V3));
}
