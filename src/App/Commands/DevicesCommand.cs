using System.CommandLine;
using System.Globalization;
using GpuVae.Kernels;
using GpuVae.Kernels.Ilgpu;

namespace GpuVae.App.Commands;

/// <summary><c>GpuVae devices</c>: every device ILGPU sees and whether our kernels can run there.</summary>
public static class DevicesCommand
{
    public static Command Create()
    {
        var command = new Command("devices", "List every device ILGPU sees: type, memory, warp size, max group size, usable or why not");
        command.SetAction(_ => Run());
        return command;
    }

    private static int Run()
    {
        Console.WriteLine($"{"accelerator",-11} | {"device",6} | {"name",-32} | {"memory MiB",10} | {"warp",4} | {"max group",9} | usable");
        Console.WriteLine(new string('-', 100));
        foreach (var device in BackendFactory.ListDevices())
        {
            // The CPU accelerator reports no memory limit (long.MaxValue): show it as such.
            string memory = device.MemoryBytes == long.MaxValue ? "host" : (device.MemoryBytes >> 20).ToString(CultureInfo.InvariantCulture);
            string usable = (device.Usable ? "yes" : "no") + (device.Reason.Length > 0 ? $": {device.Reason}" : "");
            // OpenCL reports its warp size only once an accelerator runs on the device.
            string warp = device.WarpSize > 0 ? device.WarpSize.ToString(CultureInfo.InvariantCulture) : "?";
            Console.WriteLine($"{device.Kind,-11} | {device.Index,6} | {Truncate(device.Name, 32),-32} | {memory,10} | {warp,4} | {device.MaxGroupSize,9} | {usable}");
        }

        Console.WriteLine($"{"host",-11} | {0,6} | {"plain .NET, no ILGPU",-32} | {"host",10} | {"-",4} | {"-",9} | yes");
        return 0;
    }

    private static string Truncate(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "~";
}
