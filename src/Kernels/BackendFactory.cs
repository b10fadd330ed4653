using GpuVae.Kernels.Host;
using GpuVae.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace GpuVae.Kernels;

/// <summary>
/// Turns --accelerator (auto, cuda, opencl, cpu, host) and --device into a backend, and lists
/// the devices ILGPU sees. ILGPU's GetPreferredDevice prefers the non-CPU device with the
/// most memory, not CUDA, so the order here is explicit.
/// </summary>
public static class BackendFactory
{
    public static readonly IReadOnlyList<string> Accelerators = ["auto", "cuda", "opencl", "cpu", "host"];

    private const string GenericAddressSpaceReason =
        "lacks the OpenCL generic address space ILGPU needs (Debian's PoCL 3.1 is one such driver)";

    public static Backend Create(string accelerator, int deviceIndex, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentOutOfRangeException.ThrowIfNegative(deviceIndex);
        switch (accelerator.ToUpperInvariant())
        {
            case "HOST":
                var host = new HostBackend();
                log($"accelerator host: {host.DeviceName}, plain .NET");
                return host;
            case "CPU":
                return CreateIlgpu("cpu", deviceIndex, log);
            case "CUDA":
                return CreateIlgpu("cuda", deviceIndex, log);
            case "OPENCL":
                return CreateIlgpu("opencl", deviceIndex, log);
            case "AUTO":
                return CreateAuto(deviceIndex, log);
            default:
                throw new ArgumentException($"unknown accelerator '{accelerator}': use {string.Join(", ", Accelerators)}", nameof(accelerator));
        }
    }

    /// <summary>Every device ILGPU sees, usable or not, with what --accelerator and --device would take.</summary>
    public static IReadOnlyList<DeviceInfo> ListDevices()
    {
        var devices = new List<DeviceInfo>();
        using (var context = CreateContext("cuda"))
        {
            var cuda = context.GetCudaDevices();
            for (int i = 0; i < cuda.Count; i++)
            {
                string? reason = CudaRejection(cuda[i]);
                devices.Add(Describe("cuda", i, cuda[i], reason is null, reason ?? ""));
            }
        }

        using (var context = CreateContext("opencl"))
        {
            var openCl = context.GetCLDevices();
            for (int i = 0; i < openCl.Count; i++)
            {
                string? reason = OpenClRejection(openCl[i]);
                devices.Add(Describe("opencl", i, openCl[i], reason is null, reason ?? ""));
            }
        }

        devices.Add(Describe("cpu", 0, CpuDevice(), true, "runs the GPU kernels on the CPU, for testing"));
        return devices;
    }

    /// <summary>
    /// ILGPU's default CPU device simulates one multiprocessor of 4 threads. One multiprocessor
    /// per core lets groups run in parallel, and 64 warps of 4 let a group hold the 16 x 16
    /// threads of the tiled GEMM; the accelerator only starts the threads a launch uses.
    /// </summary>
    public static CPUDevice CpuDevice() => new(4, 64, Environment.ProcessorCount);

    private static Backend CreateAuto(int deviceIndex, Action<string> log)
    {
        var reasons = new List<string>();
        foreach (string kind in new[] { "cuda", "opencl" })
        {
            try
            {
                var backend = CreateIlgpu(kind, deviceIndex, log);
                log($"auto picked {kind}{(reasons.Count > 0 ? $" ({string.Join("; ", reasons)})" : "")}");
                return backend;
            }
            catch (AcceleratorUnavailableException e)
            {
                reasons.Add(e.Message);
            }
        }

        var host = new HostBackend();
        log($"auto picked host, {host.DeviceName} ({string.Join("; ", reasons)})");
        return host;
    }

    private static IlgpuBackend CreateIlgpu(string kind, int deviceIndex, Action<string> log)
    {
        var context = CreateContext(kind);
        try
        {
            List<Device> devices = kind switch
            {
                "cuda" => [.. context.GetCudaDevices()],
                "opencl" => [.. context.GetCLDevices()],
                _ => [.. context.GetCPUDevices()],
            };
            if (devices.Count == 0)
            {
                throw new AcceleratorUnavailableException($"{kind}: ILGPU finds no {kind} device ({NoDeviceHint(kind)})");
            }

            if (deviceIndex >= devices.Count)
            {
                throw new AcceleratorUnavailableException($"{kind}: there is no device {deviceIndex}, ILGPU sees {devices.Count} ({string.Join(", ", devices.Select(d => d.Name))})");
            }

            var device = devices[deviceIndex];
            string? rejection = device switch
            {
                CudaDevice cuda => CudaRejection(cuda),
                CLDevice openCl => OpenClRejection(openCl),
                _ => null,
            };
            if (rejection is not null)
            {
                throw new AcceleratorUnavailableException($"{kind} device {deviceIndex} '{device.Name}' {rejection}");
            }

            Accelerator accelerator;
            try
            {
                accelerator = device.CreateAccelerator(context);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new AcceleratorUnavailableException($"{kind} device {deviceIndex} '{device.Name}' failed to start: {e.Message}", e);
            }

            try
            {
                var backend = new IlgpuBackend(context, accelerator, kind);
                log($"accelerator {kind} device {deviceIndex}: {accelerator.Name}, {accelerator.MemorySize / (1 << 20)} MiB, warp {accelerator.WarpSize}, {accelerator.NumMultiprocessors} multiprocessors, "
                    + string.Join(", ", backend.Choices.Select(choice => $"{choice.Name} {choice.Selected}")));
                return backend;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                accelerator.Dispose();
                throw new AcceleratorUnavailableException($"{kind} device {deviceIndex} '{device.Name}' cannot compile our kernels: {e.Message}", e);
            }
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A context with only the devices of one kind. CUDA and OpenCL devices are all enumerated,
    /// compatible or not, so that an unusable one can be named with its reason.
    /// </summary>
    private static Context CreateContext(string kind) => Context.Create(builder =>
    {
        _ = kind switch
        {
            "cuda" => builder.Cuda(_ => true),
            "opencl" => builder.OpenCL(_ => true),
            _ => builder.CPU(CpuDevice()),
        };
        builder.EnableAlgorithms();
    });

    // ILGPU loads libcuda.so and libOpenCL.so by those names; Debian's ICD loader package
    // installs only libOpenCL.so.1, the unversioned name comes with ocl-icd-opencl-dev.
    private static string NoDeviceHint(string kind) => kind == "cuda"
        ? "no NVIDIA GPU, or its driver's libcuda.so is not installed"
        : "no OpenCL driver, or no libOpenCL.so: on Debian install ocl-icd-opencl-dev beside the driver";

    // ILGPU's own Cuda() filter keeps the devices with a known PTX architecture and
    // instruction set; these are its reasons, said in words.
    private static string? CudaRejection(CudaDevice device) =>
        device.Architecture is null ? "has a PTX architecture ILGPU 1.5.3 does not know"
        : device.InstructionSet is null ? "has a driver without a PTX instruction set ILGPU 1.5.3 can emit (update the driver)"
        : null;

    private static string? OpenClRejection(CLDevice device) =>
        device.Capabilities.GenericAddressSpace ? null : GenericAddressSpaceReason;

    private static DeviceInfo Describe(string kind, int index, Device device, bool usable, string reason) =>
        new(kind, index, device.Name, device.MemorySize, device.WarpSize, device.MaxNumThreadsPerGroup, usable, reason);
}
