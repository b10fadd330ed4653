using System.CommandLine;
using System.Globalization;
using GpuVae.Kernels.Ilgpu;
using GpuVae.Kernels.Verification;

namespace GpuVae.App.Commands;

/// <summary><c>GpuVae check [--accelerator X]</c>: every kernel on X against the host references.</summary>
public static class CheckCommand
{
    public static Command Create()
    {
        var accelerator = new Option<string>("--accelerator")
        {
            Description = $"where to run the kernels: {string.Join(", ", BackendFactory.Accelerators)}",
            DefaultValueFactory = _ => "auto",
        };
        var device = new Option<int>("--device")
        {
            Description = "index of the device among those of its kind (see `GpuVae devices`)",
            DefaultValueFactory = _ => 0,
        };
        var seed = new Option<int>("--seed")
        {
            Description = "seed of the random inputs",
            DefaultValueFactory = _ => 1,
        };
        var command = new Command("check", "Run every kernel against its host reference over several shapes; non-zero exit on any failure")
        {
            accelerator,
            device,
            seed,
        };
        command.SetAction(parseResult => CommandRunner.Run(_ => Run(
            parseResult.GetValue(accelerator) ?? "auto", parseResult.GetValue(device), parseResult.GetValue(seed))));
        return command;
    }

    private static int Run(string accelerator, int deviceIndex, int seed)
    {
        using var backend = BackendFactory.Create(accelerator, deviceIndex, Console.WriteLine);
        var rows = KernelCheck.Run(backend, seed);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"kernel",-32} | {"shape",-16} | {"max error",10} | {"tolerance",10} | result"));
        Console.WriteLine(new string('-', 80));
        foreach (var row in rows)
        {
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{row.Kernel,-32} | {row.Shape,-16} | {row.MaxError,10:0.00E+00} | {row.Tolerance,10:0.00E+00} | {(row.Pass ? "pass" : "FAIL")}"));
        }

        int failures = rows.Count(row => !row.Pass);
        Console.WriteLine($"{backend.Kind} ({backend.DeviceName}): {rows.Count - failures} passed, {failures} failed");
        return failures == 0 ? CommandRunner.Success : CommandRunner.Failure;
    }
}
