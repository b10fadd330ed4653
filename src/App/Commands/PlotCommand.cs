using System.CommandLine;
using GpuVae.App.Data;
using GpuVae.App.Experiment;
using GpuVae.Kernels.Ilgpu;

namespace GpuVae.App.Commands;

/// <summary>`GpuVae plot`: redraws every picture and the report from saved runs, without training.</summary>
public static class PlotCommand
{
    public static Command Create()
    {
        var figureArguments = new FigureArguments();
        var output = new Option<string>("--out") { Description = "The folder a sweep or train wrote (holding dim<Z>/ folders)", DefaultValueFactory = _ => "save" };
        var data = new Option<string>("--data") { Description = "Folder with the MNIST IDX files (downloaded there if missing)", DefaultValueFactory = _ => Path.Combine("data", "mnist") };
        var accelerator = new Option<string>("--accelerator") { Description = "auto | cuda | opencl | cpu | host", DefaultValueFactory = _ => "auto" };
        var device = new Option<int>("--device") { Description = "Index among the devices of the chosen accelerator type", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Seed of the prior samples and latent draws", DefaultValueFactory = _ => 0 };
        var command = new Command("plot", "Redraw the pictures and report.md from saved metrics and checkpoints") { output, data, accelerator, device, seed };
        foreach (var option in figureArguments.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => CommandRunner.Run(_ =>
        {
            string directory = parse.GetValue(output)!;
            var figures = figureArguments.Read(parse);
            var metrics = SavedRuns.LoadMetrics(directory);
            if (metrics.Count == 0)
            {
                throw new UsageException($"--out {directory}: no saved runs (dim<Z>/metrics.csv) to plot");
            }

            using var backend = BackendFactory.Create(parse.GetValue(accelerator)!.ToLowerInvariant(), parse.GetValue(device), Console.WriteLine);
            var mnist = MnistData.Load(parse.GetValue(data)!, Console.WriteLine);
            var facts = RunFacts.Read(directory)
                ?? new RunFacts("unknown (no run.json)", "unknown", backend.Kind, backend.DeviceName, metrics.Values.Max(m => m.Count), 0);
            var results = ExperimentOutputs.Draw(directory, backend, mnist, parse.GetValue(seed), figures, nll: null, Console.Out);
            ExperimentOutputs.WriteReport(directory, results, facts, Console.Out);
            return CommandRunner.Success;
        }));
        return command;
    }
}
