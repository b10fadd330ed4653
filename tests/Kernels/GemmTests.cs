using GpuVae.Kernels;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels;

/// <summary>Every GEMM kernel, in all four op combinations, against the double-precision triple loop.</summary>
[Collection(nameof(AcceleratorCollection))]
public sealed class GemmTests
{
    // float32 sums of K products of inputs in [-1, 1] lose about sqrt(K) * 2^-24 * sqrt(K / 9)
    // of their value on random signs; 1e-6 * K absolute covers that with a wide margin at every
    // K we test (2e-4 when K = 784 vs ~3e-5 typical), and 1e-5 relative covers alpha and beta.
    private const double AbsolutePerK = 1e-6;
    private const double Relative = 1e-5;

    // Small, odd, non-square shapes that are not multiples of the 16-wide tiles or the 4x4 blocks,
    // one that spans several 64 x 64 tiles with ragged edges in both directions, and one deep
    // enough for split-K to sum three layers, the last one ragged.
    private static readonly (int M, int N, int K)[] Shapes = [(1, 1, 1), (7, 1, 33), (1, 33, 7), (33, 7, 17), (17, 33, 40), (67, 131, 19), (33, 7, 300)];

    public static TheoryData<string, GemmVariant, bool, bool> Cases()
    {
        var data = new TheoryData<string, GemmVariant, bool, bool>();
        foreach (string kind in Accelerators.IlgpuNames)
        {
            foreach (var variant in Enum.GetValues<GemmVariant>())
            {
                foreach (bool transposeA in new[] { false, true })
                {
                    foreach (bool transposeB in new[] { false, true })
                    {
                        data.Add(kind, variant, transposeA, transposeB);
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void VariantMatchesReference(string kind, GemmVariant variant, bool transposeA, bool transposeB)
    {
        var backend = Accelerators.GetIlgpu(kind);
        var inputs = new RandomInputs();
        foreach (var (m, n, k) in Shapes)
        {
            foreach (float beta in new[] { 0f, inputs.Scalar() })
            {
                Check(inputs, (a, b, c, alpha, betaValue) =>
                {
                    using var left = DeviceData.Upload(backend, a, transposeA ? k : m, transposeA ? m : k);
                    using var right = DeviceData.Upload(backend, b, transposeB ? n : k, transposeB ? k : n);
                    // beta == 0 must ignore C, so C starts as NaN there; otherwise C holds real values.
                    using var output = betaValue == 0 ? DeviceData.Poisoned(backend, m, n) : DeviceData.Upload(backend, c, m, n);
                    backend.Gemm(variant, output, left, transposeA, right, transposeB, alpha, betaValue);
                    return DeviceData.Download(backend, output);
                }, $"{kind} {variant} {Op(transposeA)}{Op(transposeB)} ({m}, {n}, {k}) beta {beta}", transposeA, transposeB, m, n, k, beta);
            }
        }
    }

    /// <summary>The network's forward shape, B x H x D, once on the kernel each accelerator type runs by default.</summary>
    [Theory]
    [MemberData(nameof(Accelerators.IlgpuKinds), MemberType = typeof(Accelerators))]
    public void PreferredVariantMatchesReferenceAtNetworkShape(string kind)
    {
        var backend = Accelerators.GetIlgpu(kind);
        var inputs = new RandomInputs();
        const int m = 128, n = 500, k = 784;
        Check(inputs, (a, b, c, alpha, beta) =>
        {
            using var left = DeviceData.Upload(backend, a, m, k);
            using var right = DeviceData.Upload(backend, b, k, n);
            using var output = DeviceData.Poisoned(backend, m, n);
            backend.Gemm(output, left, false, right, false, alpha, beta);
            return DeviceData.Download(backend, output);
        }, $"{kind} {backend.GemmKernel} NN ({m}, {n}, {k})", false, false, m, n, k, 0);
    }

    private static void Check(
        RandomInputs inputs, Func<float[], float[], float[], float, float, float[]> run, string what,
        bool transposeA, bool transposeB, int m, int n, int k, float beta)
    {
        float[] a = inputs.Uniform(m * k);
        float[] b = inputs.Uniform(k * n);
        float[] c = inputs.Uniform(m * n);
        float alpha = inputs.Scalar();
        float[] expected = (float[])c.Clone();
        Gemm.Reference(expected, a, transposeA, b, transposeB, alpha, beta, m, n, k);
        float[] actual = run(a, b, c, alpha, beta);
        Compare.AllClose(expected, actual, new Tolerance(AbsolutePerK * k, Relative), what);
    }

    private static string Op(bool transpose) => transpose ? "T" : "N";
}
