using System.Globalization;
using System.Runtime.Intrinsics.X86;
using GpuVae.Kernels.Ilgpu;
using ILGPU.Runtime.Cuda;

namespace GpuVae.Kernels.Benchmarks;

/// <summary>
/// The float32 peak a GEMM is measured against, from the hardware's width and clock: a
/// napkin number (boost clocks, thermal limits and turbo are ignored), stated with the table.
/// </summary>
public static class PeakGflops
{
    // ILGPU reports a CUDA device's clock in MHz (an H100 read 1980).
    public static double Estimate(Backend backend) => backend switch
    {
        IlgpuBackend { Accelerator: CudaAccelerator cuda } => cuda.NumMultiprocessors * CudaCoresPerMultiprocessor(cuda) * 2.0 * cuda.ClockRate / 1e3,
        _ => Environment.ProcessorCount * HostFlopsPerCycle() * HostGigahertz(),
    };

    public static string Describe(Backend backend) => backend switch
    {
        IlgpuBackend { Accelerator: CudaAccelerator cuda } =>
            $"{cuda.NumMultiprocessors} SMs x {CudaCoresPerMultiprocessor(cuda)} FP32 lanes x 2 (FMA) x {cuda.ClockRate / 1e3:F2} GHz",
        _ => $"{Environment.ProcessorCount} cores x {HostFlopsPerCycle()} flop/cycle x {HostGigahertz():F2} GHz",
    };

    /// <summary>
    /// Two FMA pipes, each FMA two flops, of sixteen floats with AVX-512 (Zen 4 and 5 double-pump
    /// or run it natively) or eight with AVX2; without FMA, one four-wide add and one multiply.
    /// </summary>
    private static int HostFlopsPerCycle() => Avx512F.IsSupported ? 64 : Fma.IsSupported && Avx2.IsSupported ? 32 : 8;

    /// <summary>The clock /proc/cpuinfo reports, else 3 GHz.</summary>
    private static double HostGigahertz()
    {
        const string cpuinfo = "/proc/cpuinfo";
        if (File.Exists(cpuinfo))
        {
            foreach (string line in File.ReadLines(cpuinfo))
            {
                if (line.StartsWith("cpu MHz", StringComparison.Ordinal)
                    && double.TryParse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double mhz))
                {
                    return mhz / 1000;
                }
            }
        }

        return 3.0;
    }

    /// <summary>FP32 lanes per SM by compute capability (NVIDIA's CUDA programming guide table).</summary>
    private static int CudaCoresPerMultiprocessor(CudaAccelerator cuda) => cuda.Architecture.Major switch
    {
        >= 9 => 128,
        8 => cuda.Architecture.Minor == 0 ? 64 : 128,
        7 => 64,
        _ => 128,
    };
}
