using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using GpuVae.Kernels.Host;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace GpuVae.Kernels.Benchmarks;

/// <summary>
/// The float32 peak a GEMM is measured against, stated with the table. A GPU's is reckoned from
/// its width and clock (a napkin number: boost clocks and thermal limits are ignored). A CPU's
/// is measured: its reported clock is the base one while it runs faster, and whether an AVX-512
/// FMA takes one cycle or two (Zen 4 runs it on two 256-bit halves, Zen 5 whole) is not in
/// /proc/cpuinfo, so napkin numbers were off both ways. Each backend picks its device's
/// (<see cref="Backend.PeakGflops"/>).
/// </summary>
internal static class PeakEstimate
{
    /// <summary>Independent FMA chains per core: more than the FMA latency times the pipes, so the chains never wait.</summary>
    private const int Chains = 12;

    /// <summary>Steps of every chain: about 10 ms on a 3 GHz core, long enough to leave idle clocks behind.</summary>
    private const int FmaSteps = 2_000_000;

    private static readonly Lazy<double> MeasuredHostGflops = new(MeasureHostGflops);

    public static double HostGflops() => MeasuredHostGflops.Value;

    public static string HostFormula() =>
        $"measured: {HostTeam.Size} cores each running {Chains} independent chains of {FmaWidth()}-float FMAs";

    // ILGPU reports a CUDA device's clock in MHz (an H100 read 1980).
    public static double CudaGflops(CudaAccelerator cuda) => cuda.NumMultiprocessors * CudaCoresPerMultiprocessor(cuda) * 2.0 * cuda.ClockRate / 1e3;

    public static string CudaFormula(CudaAccelerator cuda) =>
        $"{cuda.NumMultiprocessors} SMs x {CudaCoresPerMultiprocessor(cuda)} FP32 lanes x 2 (FMA) x {cuda.ClockRate / 1e3:F2} GHz";

    // OpenCL reports compute units and CL_DEVICE_MAX_CLOCK_FREQUENCY in MHz.
    public static double OpenClGflops(CLAccelerator openCl) => openCl.NumMultiprocessors * LanesPerComputeUnit(openCl) * 2.0 * openCl.ClockRate / 1e3;

    public static string OpenClFormula(CLAccelerator openCl) =>
        $"{openCl.NumMultiprocessors} compute units x {LanesPerComputeUnit(openCl)} FP32 lanes ({openCl.Vendor}) x 2 (FMA) x {openCl.ClockRate / 1e3:F2} GHz";

    /// <summary>The GEMM's micro-kernel width on this machine (<see cref="HostGemm.BestIsa"/>).</summary>
    private static int FmaWidth() => HostGemm.BestIsa switch
    {
        HostGemmIsa.Vector512 => 16,
        HostGemmIsa.Vector256 => 8,
        _ => 4,
    };

    /// <summary>
    /// GFLOP/s of the FMA chains on every core at once, the best of ten runs: on a shared VM a
    /// run can find a core's other hardware thread busy with another guest, and halve.
    /// </summary>
    private static double MeasureHostGflops()
    {
        double best = 0;
        for (int run = 0; run < 10; run++)
        {
            float sink = 0;
            long start = Stopwatch.GetTimestamp();
            HostTeam.Run(HostTeam.Size, ref sink, static (ref sink, part) =>
            {
                float result = FmaWidth() switch
                {
                    16 => Chain<GemmSimd512, Vector512<float>>(),
                    8 => Chain<GemmSimd256, Vector256<float>>(),
                    _ => Chain<GemmSimd128, Vector128<float>>(),
                };
                if (part == 0)
                {
                    sink = result;
                }
            });
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            // Two flops per lane of every FMA, checked below so the work cannot be dropped.
            double flops = 2.0 * HostTeam.Size * Chains * (double)FmaSteps * FmaWidth();
            best = Math.Max(best, float.IsNaN(sink) ? 0 : flops / seconds / 1e9);
        }

        return best;
    }

    /// <summary>Chains x FmaSteps FMAs of one vector width (the GEMM's own vector operations), their lanes summed into a value the caller keeps.</summary>
    // Optimized at once: run a single time, it would otherwise run as unoptimized first-tier code.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chain<TSimd, TVector>()
        where TSimd : struct, IGemmSimd<TVector>
        where TVector : struct
    {
        var a = TSimd.Broadcast(0.999f);
        var b = TSimd.Broadcast(1e-3f);
        TVector c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (int i = 0; i < FmaSteps; i++)
        {
            c0 = TSimd.MultiplyAdd(c0, a, b);
            c1 = TSimd.MultiplyAdd(c1, a, b);
            c2 = TSimd.MultiplyAdd(c2, a, b);
            c3 = TSimd.MultiplyAdd(c3, a, b);
            c4 = TSimd.MultiplyAdd(c4, a, b);
            c5 = TSimd.MultiplyAdd(c5, a, b);
            c6 = TSimd.MultiplyAdd(c6, a, b);
            c7 = TSimd.MultiplyAdd(c7, a, b);
            c8 = TSimd.MultiplyAdd(c8, a, b);
            c9 = TSimd.MultiplyAdd(c9, a, b);
            c10 = TSimd.MultiplyAdd(c10, a, b);
            c11 = TSimd.MultiplyAdd(c11, a, b);
        }

        // Summed through FMAs by one, never through an array of the chains: an address taken
        // would keep every chain in memory instead of a register for the whole loop.
        var one = TSimd.Broadcast(1);
        var total = TSimd.MultiplyAdd(c0, one, c1);
        total = TSimd.MultiplyAdd(c2, one, TSimd.MultiplyAdd(c3, one, total));
        total = TSimd.MultiplyAdd(c4, one, TSimd.MultiplyAdd(c5, one, total));
        total = TSimd.MultiplyAdd(c6, one, TSimd.MultiplyAdd(c7, one, total));
        total = TSimd.MultiplyAdd(c8, one, TSimd.MultiplyAdd(c9, one, total));
        total = TSimd.MultiplyAdd(c10, one, TSimd.MultiplyAdd(c11, one, total));
        Span<float> lanes = stackalloc float[TSimd.Width];
        TSimd.Store(total, ref lanes[0]);
        float sum = 0;
        foreach (float lane in lanes)
        {
            sum += lane;
        }

        return sum;
    }

    /// <summary>FP32 lanes per SM by compute capability (NVIDIA's CUDA programming guide table).</summary>
    private static int CudaCoresPerMultiprocessor(CudaAccelerator cuda) => cuda.Architecture.Major switch
    {
        >= 9 => 128,
        8 => cuda.Architecture.Minor == 0 ? 64 : 128,
        7 => 64,
        _ => 128,
    };

    /// <summary>
    /// What one OpenCL compute unit is: an AMD CU of 64 lanes, an Intel EU (or Xe vector engine)
    /// of 8, an NVIDIA SM of 128 (Volta onwards' 64 would halve the claim: the estimate errs high).
    /// An unknown vendor is assumed AMD-like.
    /// </summary>
    private static int LanesPerComputeUnit(CLAccelerator openCl) => openCl.Vendor switch
    {
        CLDeviceVendor.AMD => 64,
        CLDeviceVendor.Intel => 8,
        CLDeviceVendor.Nvidia => 128,
        CLDeviceVendor.Other => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(openCl), openCl.Vendor, "an OpenCL vendor ILGPU 1.5.3 does not name"),
    };
}
