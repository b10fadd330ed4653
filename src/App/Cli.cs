using System.CommandLine;
using GpuVae.App.Commands;

namespace GpuVae.App;

/// <summary>The `GpuVae` command line: every command, and parse errors as usage errors (exit 2).</summary>
public static class Cli
{
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "GpuVae: a variational autoencoder (Kingma & Welling) on MNIST with custom ILGPU kernels. "
            + "Without a subcommand it trains, like `train`.");
        TrainCommand.Configure(root);
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(SweepCommand.Create());
        root.Subcommands.Add(PlotCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(DevicesCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        return root;
    }

    public static int Run(string[] args)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"error: {error.Message}");
            }

            Console.Error.WriteLine("Run 'GpuVae --help' for usage.");
            return CommandRunner.UsageError;
        }

        return parse.Invoke();
    }
}
