using System.CommandLine;
using System.Globalization;
using GpuVae.App.Options;
using GpuVae.Kernels.Verification;

namespace GpuVae.App.Commands;

/// <summary><c>GpuVae check [--accelerator X]</c>: every kernel case on X, with every kernel X can pick, against the references.</summary>
public static class CheckCommand
{
    public static Command Create()
    {
        var device = new DeviceOptions();
        var seed = new Option<int>("--seed") { Description = "Seed of the random inputs", DefaultValueFactory = _ => 1 };
        var operations = new Option<string?>("--operations")
        {
            Description = $"Comma-separated operations to check (default: all of {string.Join(", ", KernelCases.Operations)})",
        };
        var command = new Command("check", "Run every kernel case against its plain .NET reference; non-zero exit on any failure") { seed, operations };
        foreach (var option in device.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => CommandRunner.Run(_ =>
        {
            var chosen = ReadOperations(parse.GetValue(operations));
            device.Read(parse);
            using var backend = device.Create(parse, Console.WriteLine);
            var rows = KernelCheck.Run(backend, parse.GetValue(seed), chosen);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"operation",-34} | {"shape",-36} | {"kernel",-15} | {"max error",10} | {"tolerance",10} | {"ms",8} | result"));
            Console.WriteLine(new string('-', 141));
            foreach (var row in rows)
            {
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{row.Case.Operation,-34} | {row.Case.Shape,-36} | {row.Kernel,-15} | {row.MaxError,10:0.00E+00} | {row.Case.Tolerance.MaxError,10:0.00E+00} | {row.Milliseconds,8:F1} | {(row.Pass ? "pass" : "FAIL")}"));
            }

            var failures = rows.Where(row => !row.Pass).ToList();
            foreach (var row in failures)
            {
                Console.Error.WriteLine($"FAIL {row}");
            }

            Console.WriteLine($"{backend.Kind} ({backend.DeviceName}): {rows.Count - failures.Count} passed, {failures.Count} failed");
            return failures.Count == 0 ? CommandRunner.Success : CommandRunner.Failure;
        }));
        return command;
    }

    private static IReadOnlyCollection<string>? ReadOperations(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var chosen = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var unknown = chosen.Except(KernelCases.Operations).ToList();
        if (chosen.Count == 0 || unknown.Count > 0)
        {
            throw new UsageException($"--operations must list some of {string.Join(", ", KernelCases.Operations)}; unknown: '{string.Join(", ", unknown)}'");
        }

        return chosen;
    }
}
