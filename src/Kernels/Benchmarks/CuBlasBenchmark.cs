using GpuVae.Kernels.Ilgpu;
using GpuVae.Kernels.Verification;
using ILGPU.Runtime.Cuda;

namespace GpuVae.Kernels.Benchmarks;

/// <summary>
/// Our GEMM beside cuBLAS's Sgemm in one process, at every GEMM of the training step (its shapes
/// from the model: GpuVae.Model's TrainingStep.Gemms), on the same device buffers and the same
/// stream: each shape checked first (cuBLAS's C against ours), then the two timed alternately.
/// Ours is the kernel training runs (the backend's current GEMM choice). CUDA only; elsewhere,
/// and where no cuBLAS library loads, the result holds no shapes and says why.
/// </summary>
public static class CuBlasBenchmark
{
    /// <summary>One GEMM of the step: ours and cuBLAS's time per call, queued back to back, and how far their C differ.</summary>
    /// <param name="MaxError">The largest <see cref="KernelTolerance.Error"/> of cuBLAS's C against ours; infinite where either wrote NaN.</param>
    public sealed record Shape(GemmCall Gemm, double OursMilliseconds, double CuBlasMilliseconds, double MaxError, bool Agrees)
    {
        /// <summary>cuBLAS's time over ours: above 1, ours is faster.</summary>
        public double Ratio => CuBlasMilliseconds / OursMilliseconds;
    }

    /// <param name="Version">cuBLAS's version as cublasGetVersion reports it (major * 10000 + minor * 100 + patch); 0 when skipped.</param>
    /// <param name="Tolerance">The GEMM's tolerance from the table of kernel cases, which each shape's MaxError is held to.</param>
    /// <param name="Skipped">Why no shape was timed, one line; null when every one was (and there was at least one).</param>
    public sealed record Result(IReadOnlyList<Shape> Shapes, int Version, KernelTolerance Tolerance, string? Skipped)
    {
        public double OursMilliseconds => Shapes.Sum(s => s.OursMilliseconds);

        public double CuBlasMilliseconds => Shapes.Sum(s => s.CuBlasMilliseconds);

        /// <summary>The step's GEMMs summed, cuBLAS's time over ours.</summary>
        public double Ratio => CuBlasMilliseconds / OursMilliseconds;

        /// <summary>The shape where ours does worst against cuBLAS.</summary>
        public Shape? Worst => Shapes.MinBy(s => s.Ratio);
    }

    /// <param name="minimumWarmup">At least this long warming up each shape (<see cref="Timing.MinimumWarmup"/> when null).</param>
    public static Result Run(Backend backend, IReadOnlyList<GemmCall> gemms, int warmups, int repeats, int seed, TimeSpan? minimumWarmup = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(gemms);
        var tolerance = KernelCases.ToleranceOf(OperationName.Gemm);
        if (gemms.Count == 0)
        {
            return new Result([], 0, tolerance, "no GEMM to time");
        }

        if (backend is not IlgpuBackend { Accelerator: CudaAccelerator cuda })
        {
            return new Result([], 0, tolerance, $"cuBLAS runs on CUDA only, and this is {backend.Kind}");
        }

        using var cuBlas = CuBlasGemm.TryCreate(cuda, out string reason);
        if (cuBlas is null)
        {
            return new Result([], 0, tolerance, $"no cuBLAS library loads ({reason})");
        }

        var random = new Random(seed);
        var shapes = new List<Shape>();
        foreach (var gemm in gemms)
        {
            var (_, m, n, k, transposeA, transposeB) = gemm;
            using var a = KernelBenchmark.Random(backend, random, transposeA ? k : m, transposeA ? m : k);
            using var b = KernelBenchmark.Random(backend, random, transposeB ? n : k, transposeB ? k : n);
            using var c = backend.Allocate(m, n);
            void Ours() => backend.Gemm(c, a, transposeA, b, transposeB, 1, 0);
            void Theirs() => cuBlas.Run(View(c), View(a), transposeA, View(b), transposeB, 1, 0, m, n, k);
            // Both are within ~3e-5 of float64 (the tolerance's reason), so within the tolerance of each other.
            double maxError = MaxError(Output(backend, c, Ours), Output(backend, c, Theirs));
            var (ours, theirs) = Timing.AlternatingMedianMilliseconds(backend, Ours, Theirs, warmups, repeats, KernelBenchmark.LaunchesPerSync, minimumWarmup);
            shapes.Add(new Shape(gemm, ours, theirs, maxError, maxError <= tolerance.MaxError));
        }

        return new Result(shapes, cuBlas.Version, tolerance, null);
    }

    /// <summary>C as one GEMM leaves it, NaN first so an element it does not write fails the check.</summary>
    private static float[] Output(Backend backend, Tensor c, Action gemm)
    {
        backend.Fill(c, float.NaN);
        gemm();
        backend.Synchronize();
        var values = new float[c.Length];
        backend.Download(c, values);
        return values;
    }

    private static double MaxError(float[] ours, float[] theirs)
    {
        double max = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            double error = KernelTolerance.Error(ours[i], theirs[i]);
            max = double.IsNaN(error) ? double.PositiveInfinity : Math.Max(max, error);
        }

        return max;
    }

    private static ILGPU.Runtime.ArrayView1D<float, ILGPU.Stride1D.Dense> View(Tensor tensor) => ((DeviceTensor)tensor).View;
}
