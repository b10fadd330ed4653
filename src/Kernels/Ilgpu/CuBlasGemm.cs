using ILGPU.Runtime.Cuda;
using FloatView = ILGPU.Runtime.ArrayView1D<float, ILGPU.Stride1D.Dense>;

namespace GpuVae.Kernels.Ilgpu;

/// <summary>
/// cuBLAS's Sgemm through ILGPU.Algorithms, called with our row-major arguments (those of
/// <see cref="Operations.Gemm.Reference"/>): the peer bench times our GEMM kernels against, on
/// the same buffers and the same stream. Nothing in training calls it.
/// </summary>
internal sealed class CuBlasGemm : IDisposable
{
    private readonly CuBlas blas;

    private CuBlasGemm(CuBlas blas)
    {
        this.blas = blas;
    }

    /// <summary>cuBLAS's version as cublasGetVersion reports it: major * 10000 + minor * 100 + patch.</summary>
    public int Version => blas.Version;

    /// <summary>
    /// cuBLAS on the accelerator, queuing its work on the stream our kernels use (the
    /// accelerator's default stream, which <see cref="IlgpuBackend"/> may have replaced with a
    /// capturable one), so that the two queue and finish alike. Returns null with the reason when
    /// no cuBLAS library loads: ILGPU.Algorithms looks for libcublas.so.12, .11 and .10.
    /// </summary>
    public static CuBlasGemm? TryCreate(CudaAccelerator accelerator, out string reason)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        CuBlas? blas = null;
        try
        {
            // Set one by one, not in an initializer, so that the handle is disposed when a setter throws.
            blas = new CuBlas(accelerator);
            blas.Stream = (CudaStream)accelerator.DefaultStream;
            // alpha and beta are host floats; ILGPU's CuBlas leaves the mode as it finds it.
            blas.PointerMode = CuBlasPointerMode.Host;
            // Plain FP32, as our kernels compute: no tensor-core TF32, which would round the inputs to 10 bits.
            blas.MathMode = CuBlasMathMode.DefaultMath;
            reason = string.Empty;
            return new CuBlasGemm(blas);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or CuBlasException)
        {
            blas?.Dispose();
            reason = $"{e.GetType().Name}: {FirstSentence(e.Message)}";
            return null;
        }
    }

    /// <summary>
    /// "Unable to load shared library 'libcublas.so.12' or one of its dependencies", where .NET
    /// goes on with advice on tracing and a line for every path it tried.
    /// </summary>
    private static string FirstSentence(string message)
    {
        string line = message.Split('\n')[0];
        int end = line.IndexOf(". ", StringComparison.Ordinal);
        return (end < 0 ? line : line[..end]).Trim();
    }

    /// <summary>C = alpha op(A) op(B) + beta C, row-major, exactly as our GEMM's launcher takes it.</summary>
    public void Run(FloatView c, FloatView a, bool transposeA, FloatView b, bool transposeB, float alpha, float beta, int m, int n, int k)
    {
        var s = ColumnMajor(transposeA, transposeB, m, n, k);
        // cuBLAS's A is our B and its B our A: see ColumnMajor.
        blas.Gemm(s.TransA, s.TransB, s.M, s.N, s.K, alpha, b.AsContiguous(), s.Lda, a.AsContiguous(), s.Ldb, beta, c.AsContiguous(), s.Ldc);
    }

    public void Dispose() => blas.Dispose();

    /// <summary>
    /// The column-major Sgemm that computes our row-major C (M, N) = op(A) op(B). A row-major
    /// matrix read column-major is its transpose, so cuBLAS sees C^T (N, M), and
    /// C^T = op(B)^T op(A)^T: a column-major GEMM of N x M x K whose first operand is our B and
    /// whose second is our A, each transposed when ours is. Every leading dimension is the
    /// column count of the row-major matrix as stored: B is (K, N), or (N, K) transposed; A is
    /// (M, K), or (K, M) transposed; C is (M, N).
    /// </summary>
    public static Arguments ColumnMajor(bool transposeA, bool transposeB, int m, int n, int k) => new(
        transposeB ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose,
        transposeA ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose,
        n,
        m,
        k,
        transposeB ? k : n,
        transposeA ? m : k,
        n);

    /// <summary>Sgemm's arguments by its own names: its a is our B, its b our A.</summary>
    public sealed record Arguments(CuBlasOperation TransA, CuBlasOperation TransB, int M, int N, int K, int Lda, int Ldb, int Ldc);
}
