using System.CommandLine;
using GpuVae.App.Commands;

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

var parse = root.Parse(args);
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
