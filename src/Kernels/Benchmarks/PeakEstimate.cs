using System.Globalization;
using System.Runtime.Intrinsics.X86;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace GpuVae.Kernels.Benchmarks;

/// <summary>
/// The float32 peak a GEMM is measured against, from the hardware's width and clock: a
/// napkin number (boost clocks, thermal limits and turbo are ignored), stated with the table.
/// Each backend picks its device's formula (<see cref="Backend.PeakGflops"/>).
/// </summary>
internal static class PeakEstimate
{
    public static double HostGflops() => Environment.ProcessorCount * HostFlopsPerCycle() * HostGigahertz();

    public static string HostFormula() => $"{Environment.ProcessorCount} cores x {HostFlopsPerCycle()} flop/cycle x {HostGigahertz():F2} GHz";

    // ILGPU reports a CUDA device's clock in MHz (an H100 read 1980).
    public static double CudaGflops(CudaAccelerator cuda) => cuda.NumMultiprocessors * CudaCoresPerMultiprocessor(cuda) * 2.0 * cuda.ClockRate / 1e3;

    public static string CudaFormula(CudaAccelerator cuda) =>
        $"{cuda.NumMultiprocessors} SMs x {CudaCoresPerMultiprocessor(cuda)} FP32 lanes x 2 (FMA) x {cuda.ClockRate / 1e3:F2} GHz";

    // OpenCL reports compute units and CL_DEVICE_MAX_CLOCK_FREQUENCY in MHz.
    public static double OpenClGflops(CLAccelerator openCl) => openCl.NumMultiprocessors * LanesPerComputeUnit(openCl) * 2.0 * openCl.ClockRate / 1e3;

    public static string OpenClFormula(CLAccelerator openCl) =>
        $"{openCl.NumMultiprocessors} compute units x {LanesPerComputeUnit(openCl)} FP32 lanes ({openCl.Vendor}) x 2 (FMA) x {openCl.ClockRate / 1e3:F2} GHz";

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
