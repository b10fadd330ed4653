using GpuVae.Kernels;
using GpuVae.Kernels.Benchmarks;
using GpuVae.Kernels.Ilgpu;
using GpuVae.Kernels.Operations;
using GpuVae.Kernels.Verification;
using GpuVae.Tests.Support;
using ILGPU.Runtime.Cuda;
using Xunit;

namespace GpuVae.Tests.Kernels.Ilgpu;

/// <summary>
/// cuBLAS beside our GEMM. cuBLAS itself runs only where CUDA and its library are; the row-major
/// to column-major translation (<see cref="CuBlasGemm.ColumnMajor"/>) is checked everywhere, by
/// running the column-major GEMM it describes on the host, BLAS's own way.
/// </summary>
[Collection(nameof(AcceleratorCollection))]
public sealed class CuBlasGemmTests
{
    /// <summary>1s, odd, non-square and no multiple of any tile; each dimension the largest in some shape, so a swapped size reads out of range.</summary>
    private static readonly (int M, int N, int K)[] Shapes = [(1, 1, 1), (7, 1, 33), (1, 33, 7), (33, 7, 1), (33, 7, 17), (17, 33, 40), (67, 70, 3), (5, 3, 2)];

    private static readonly KernelTolerance Tolerance = KernelCases.ToleranceOf(OperationName.Gemm);

    public static TheoryData<bool, bool> Transposes => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    [Theory]
    [MemberData(nameof(Transposes))]
    public void ColumnMajorGemmOfTheTranslatedArgumentsIsOurRowMajorGemm(bool transposeA, bool transposeB)
    {
        var inputs = new RandomInputs();
        foreach (var (m, n, k) in Shapes)
        {
            foreach (bool scaled in new[] { false, true })
            {
                float[] a = inputs.Uniform(m * k), b = inputs.Uniform(k * n);
                float alpha = inputs.Scalar();
                float beta = scaled ? inputs.Scalar() : 0;
                // beta == 0 must ignore C, so C starts as NaN there.
                float[] expected = scaled ? inputs.Uniform(m * n) : Poisoned(m * n);
                float[] actual = (float[])expected.Clone();

                Gemm.Reference(expected, a, transposeA, b, transposeB, alpha, beta, m, n, k);
                var s = CuBlasGemm.ColumnMajor(transposeA, transposeB, m, n, k);
                ColumnMajorSgemm(s.TransA, s.TransB, s.M, s.N, s.K, alpha, b, s.Lda, a, s.Ldb, beta, actual, s.Ldc);

                Compare.Within(expected, actual, Tolerance, $"{Name(transposeA, transposeB)} ({m}, {n}, {k}) beta {beta} (seed {inputs.Seed})");
            }
        }
    }

    /// <summary>cuBLAS through the wrapper against the reference: every transpose, beta 0 on a poisoned C and beta random.</summary>
    [Fact]
    public void CuBlasMatchesTheReference()
    {
        var backend = Accelerators.GetIlgpu("cuda");
        using var cuBlas = CuBlasGemm.TryCreate((CudaAccelerator)backend.Accelerator, out string reason);
        if (cuBlas is null)
        {
            Assert.Skip(reason);
        }

        var inputs = new RandomInputs();
        foreach (var (transposeA, transposeB) in new[] { (false, false), (false, true), (true, false), (true, true) })
        {
            foreach (var (m, n, k) in Shapes.Append((128, 500, 784)))
            {
                foreach (bool scaled in new[] { false, true })
                {
                    float[] a = inputs.Uniform(m * k), b = inputs.Uniform(k * n);
                    float alpha = inputs.Scalar();
                    float beta = scaled ? inputs.Scalar() : 0;
                    float[] expected = scaled ? inputs.Uniform(m * n) : Poisoned(m * n);
                    using var left = Upload(backend, a, transposeA ? k : m, transposeA ? m : k);
                    using var right = Upload(backend, b, transposeB ? n : k, transposeB ? k : n);
                    using var output = Upload(backend, expected, m, n);

                    cuBlas.Run(((DeviceTensor)output).View, ((DeviceTensor)left).View, transposeA, ((DeviceTensor)right).View, transposeB, alpha, beta, m, n, k);
                    backend.Synchronize();
                    float[] actual = new float[m * n];
                    backend.Download(output, actual);
                    Gemm.Reference(expected, a, transposeA, b, transposeB, alpha, beta, m, n, k);

                    Compare.Within(expected, actual, Tolerance, $"cuBLAS {Name(transposeA, transposeB)} ({m}, {n}, {k}) beta {beta} (seed {inputs.Seed})");
                }
            }
        }
    }

    /// <summary>
    /// What bench prints beside our GEMM: on CUDA with cuBLAS, every shape agreeing with ours and
    /// timed; anywhere else, no shapes and one line saying why.
    /// </summary>
    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void BenchComparesWithCuBlasOrSaysInOneLineWhyNot(string kind)
    {
        var backend = Accelerators.Get(kind);
        GemmCall[] gemms = [new("nn", 33, 7, 17, false, false), new("nt", 7, 33, 40, false, true), new("tn", 67, 70, 3, true, false), new("tt", 5, 3, 2, true, true)];

        var result = CuBlasBenchmark.Run(backend, gemms, warmups: 1, repeats: 2, seed: new RandomInputs().Seed, minimumWarmup: TimeSpan.Zero);

        if (result.Skipped is { } reason)
        {
            Assert.Empty(result.Shapes);
            Assert.DoesNotContain('\n', reason);
            if (kind == "cuda")
            {
                Assert.Skip(reason);
            }

            return;
        }

        Assert.Equal(gemms, result.Shapes.Select(s => s.Gemm));
        Assert.All(result.Shapes, s => Assert.True(
            s.Agrees && s.OursMilliseconds > 0 && s.CuBlasMilliseconds > 0,
            $"{s.Gemm}: max error {s.MaxError} (tolerance {result.Tolerance.MaxError}), ours {s.OursMilliseconds} ms, cuBLAS {s.CuBlasMilliseconds} ms"));
    }

    /// <summary>
    /// The reference BLAS sgemm: column-major C (m, n) = alpha op(A) op(B) + beta C, with op(A)
    /// (m, k) stored m x k, or k x m when transposed, in columns lda apart; likewise B and C. It
    /// refuses the leading dimensions that BLAS refuses (cuBLAS answers them with
    /// CUBLAS_STATUS_INVALID_VALUE), and an element outside the arrays throws.
    /// </summary>
    private static void ColumnMajorSgemm(
        CuBlasOperation transA, CuBlasOperation transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc)
    {
        Assert.Contains(transA, new[] { CuBlasOperation.NonTranspose, CuBlasOperation.Transpose });
        Assert.Contains(transB, new[] { CuBlasOperation.NonTranspose, CuBlasOperation.Transpose });
        bool aTransposed = transA == CuBlasOperation.Transpose;
        bool bTransposed = transB == CuBlasOperation.Transpose;
        Assert.True(lda >= Math.Max(1, aTransposed ? k : m), $"lda {lda} for a {(aTransposed ? $"{k} x {m}" : $"{m} x {k}")} A");
        Assert.True(ldb >= Math.Max(1, bTransposed ? n : k), $"ldb {ldb} for a {(bTransposed ? $"{n} x {k}" : $"{k} x {n}")} B");
        Assert.True(ldc >= Math.Max(1, m), $"ldc {ldc} for an {m} x {n} C");
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < m; i++)
            {
                double sum = 0;
                for (int l = 0; l < k; l++)
                {
                    float left = aTransposed ? a[l + (i * lda)] : a[i + (l * lda)];
                    float right = bTransposed ? b[j + (l * ldb)] : b[l + (j * ldb)];
                    sum += (double)left * right;
                }

                double previous = beta == 0 ? 0 : (double)beta * c[i + (j * ldc)];
                c[i + (j * ldc)] = (float)((alpha * sum) + previous);
            }
        }
    }

    private static string Name(bool transposeA, bool transposeB) => $"{(transposeA ? 'T' : 'N')}{(transposeB ? 'T' : 'N')}";

    private static float[] Poisoned(int length)
    {
        var values = new float[length];
        Array.Fill(values, float.NaN);
        return values;
    }

    private static Tensor Upload(Backend backend, float[] values, int rows, int cols)
    {
        var tensor = backend.Allocate(rows, cols);
        backend.Upload(tensor, values);
        return tensor;
    }
}
