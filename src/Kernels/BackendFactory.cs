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
    /// <summary>Every --accelerator value, each <see cref="BackendKind"/>'s <see cref="Name"/>.</summary>
    public static IReadOnlyList<string> Accelerators { get; } = [.. Enum.GetValues<BackendKind>().Select(Name)];

    private const string GenericAddressSpaceReason =
        "lacks the OpenCL generic address space ILGPU needs (Debian's PoCL 3.1 is one such driver)";

    /// <summary>How --accelerator, logs and <see cref="Backend.Kind"/> spell a kind: "opencl" for OpenCl.</summary>
    public static string Name(BackendKind kind) =>
        Enum.IsDefined(kind) ? kind.ToString().ToLowerInvariant() : throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a backend kind");

    /// <summary>The kind an --accelerator value names, in any case; false for anything else (numbers included).</summary>
    public static bool TryParse(string accelerator, out BackendKind kind)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        foreach (var candidate in Enum.GetValues<BackendKind>())
        {
            if (string.Equals(Name(candidate), accelerator, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }

    /// <summary>The backend an --accelerator name asks for; an unknown name is an ArgumentException listing the names.</summary>
    public static Backend Create(string accelerator, int deviceIndex, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        if (!TryParse(accelerator, out var kind))
        {
            throw new ArgumentException($"unknown accelerator '{accelerator}': use {string.Join(", ", Accelerators)}", nameof(accelerator));
        }

        return Create(kind, deviceIndex, log);
    }

    /// <summary>The backend of a kind, on its deviceIndex-th device; log hears which device was chosen and why.</summary>
    public static Backend Create(BackendKind kind, int deviceIndex, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentOutOfRangeException.ThrowIfNegative(deviceIndex);
        return kind switch
        {
            BackendKind.Auto => CreateAuto(deviceIndex, log),
            BackendKind.Cuda or BackendKind.OpenCl or BackendKind.Cpu => CreateIlgpu(kind, deviceIndex, log),
            BackendKind.Host => CreateHost(log, "accelerator host"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no backend for this kind"),
        };
    }

    /// <summary>Every device ILGPU sees, usable or not, with what --accelerator and --device would take.</summary>
    public static IReadOnlyList<DeviceInfo> ListDevices()
    {
        var devices = new List<DeviceInfo>();
        using (var context = CreateContext(BackendKind.Cuda))
        {
            var cuda = context.GetCudaDevices();
            for (int i = 0; i < cuda.Count; i++)
            {
                string? reason = CudaRejection(cuda[i]);
                devices.Add(Describe(BackendKind.Cuda, i, cuda[i], reason is null, reason ?? ""));
            }
        }

        using (var context = CreateContext(BackendKind.OpenCl))
        {
            var openCl = context.GetCLDevices();
            for (int i = 0; i < openCl.Count; i++)
            {
                string? reason = OpenClRejection(openCl[i]);
                devices.Add(Describe(BackendKind.OpenCl, i, openCl[i], reason is null, reason ?? ""));
            }
        }

        devices.Add(Describe(BackendKind.Cpu, 0, CpuDevice(), true, "runs the GPU kernels on the CPU, for testing"));
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
        foreach (var kind in new[] { BackendKind.Cuda, BackendKind.OpenCl })
        {
            try
            {
                var backend = CreateIlgpu(kind, deviceIndex, log);
                log($"auto picked {Name(kind)}{(reasons.Count > 0 ? $" ({string.Join("; ", reasons)})" : "")}");
                return backend;
            }
            catch (AcceleratorUnavailableException e)
            {
                reasons.Add(e.Message);
            }
        }

        return CreateHost(log, $"auto picked host ({string.Join("; ", reasons)})");
    }

    private static HostBackend CreateHost(Action<string> log, string why)
    {
        var host = new HostBackend();
        log($"{why}: {host.DeviceName}, plain .NET");
        return host;
    }

    private static IlgpuBackend CreateIlgpu(BackendKind kind, int deviceIndex, Action<string> log)
    {
        string name = Name(kind);
        var context = CreateContext(kind);
        try
        {
            List<Device> devices = kind switch
            {
                BackendKind.Cuda => [.. context.GetCudaDevices()],
                BackendKind.OpenCl => [.. context.GetCLDevices()],
                BackendKind.Cpu => [.. context.GetCPUDevices()],
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an ILGPU accelerator"),
            };
            if (devices.Count == 0)
            {
                throw new AcceleratorUnavailableException($"{name}: ILGPU finds no {name} device ({NoDeviceHint(kind)})");
            }

            if (deviceIndex >= devices.Count)
            {
                throw new AcceleratorUnavailableException($"{name}: there is no device {deviceIndex}, ILGPU sees {devices.Count} ({string.Join(", ", devices.Select(d => d.Name))})");
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
                throw new AcceleratorUnavailableException($"{name} device {deviceIndex} '{device.Name}' {rejection}");
            }

            Accelerator accelerator;
            try
            {
                accelerator = device.CreateAccelerator(context);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new AcceleratorUnavailableException($"{name} device {deviceIndex} '{device.Name}' failed to start: {e.Message}", e);
            }

            try
            {
                var backend = new IlgpuBackend(context, accelerator, name);
                log($"accelerator {name} device {deviceIndex}: {accelerator.Name}, {accelerator.MemorySize / (1 << 20)} MiB, warp {accelerator.WarpSize}, {accelerator.NumMultiprocessors} multiprocessors, "
                    + string.Join(", ", backend.Choices.Select(choice => $"{choice.Name} {choice.Selected}")));
                return backend;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                accelerator.Dispose();
                throw new AcceleratorUnavailableException($"{name} device {deviceIndex} '{device.Name}' cannot compile our kernels: {e.Message}", e);
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
    private static Context CreateContext(BackendKind kind) => Context.Create(builder =>
    {
        _ = kind switch
        {
            BackendKind.Cuda => builder.Cuda(_ => true),
            BackendKind.OpenCl => builder.OpenCL(_ => true),
            BackendKind.Cpu => builder.CPU(CpuDevice()),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an ILGPU accelerator"),
        };
        builder.EnableAlgorithms();
    });

    // ILGPU loads libcuda.so and libOpenCL.so by those names; Debian's ICD loader package
    // installs only libOpenCL.so.1, the unversioned name comes with ocl-icd-opencl-dev.
    private static string NoDeviceHint(BackendKind kind) => kind == BackendKind.Cuda
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

    private static DeviceInfo Describe(BackendKind kind, int index, Device device, bool usable, string reason) =>
        new(Name(kind), index, device.Name, device.MemorySize, device.WarpSize, device.MaxNumThreadsPerGroup, usable, reason);
}
