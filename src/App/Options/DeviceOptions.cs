using System.CommandLine;
using GpuVae.Kernels;
using GpuVae.Kernels.Ilgpu;

namespace GpuVae.App.Options;

/// <summary>--accelerator and --device: where a command runs, declared and validated once for every command that has them.</summary>
public sealed class DeviceOptions
{
    public Option<string> Accelerator { get; } = new("--accelerator")
    {
        Description = "auto | cuda | opencl | cpu (ILGPU's CPU accelerator, for checking kernels) | host (plain .NET, SIMD)",
        DefaultValueFactory = _ => "auto",
    };

    public Option<int> Device { get; } = new("--device")
    {
        Description = "Index among the devices of the chosen accelerator type (see `GpuVae devices`)",
        DefaultValueFactory = _ => 0,
    };

    public IEnumerable<Option> All => [Accelerator, Device];

    public (string Accelerator, int Device) Read(ParseResult parse)
    {
        string accelerator = parse.GetValue(Accelerator)!.ToLowerInvariant();
        int device = parse.GetValue(Device);
        if (!BackendFactory.Accelerators.Contains(accelerator))
        {
            throw new UsageException($"--accelerator must be one of {string.Join(", ", BackendFactory.Accelerators)}, got '{parse.GetValue(Accelerator)}'");
        }

        if (device < 0)
        {
            throw new UsageException($"--device must be 0 or more, got {device}");
        }

        return (accelerator, device);
    }

    /// <summary>The backend the options name, or a usage error saying why it cannot be had.</summary>
    public Backend Create(ParseResult parse, Action<string> log)
    {
        var (accelerator, device) = Read(parse);
        return BackendFactory.Create(accelerator, device, log);
    }
}
