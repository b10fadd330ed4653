using System.CommandLine;
using GpuVae.App.Data;
using GpuVae.App.Experiment;
using GpuVae.App.Options;
using GpuVae.App.Runs;

namespace GpuVae.App.Commands;

/// <summary>`GpuVae plot`: redraws every picture and the report from saved runs, without training.</summary>
public static class PlotCommand
{
    public static Command Create()
    {
        var figureArguments = new FigureArguments();
        var output = new Option<string>("--out") { Description = "The folder a sweep or train wrote (holding dim<Z>/ folders)", DefaultValueFactory = _ => TrainingArguments.DefaultOut };
        var data = new DataOption();
        var device = new DeviceOptions();
        var seed = new Option<int>("--seed") { Description = "Seed of the prior samples and latent draws", DefaultValueFactory = _ => 0 };
        var command = new Command("plot", "Redraw the pictures and report.md from saved metrics and checkpoints") { output, data.Data, seed };
        foreach (var option in device.All.Concat(figureArguments.All))
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => CommandRunner.Run(_ =>
        {
            string directory = parse.GetValue(output)!;
            var figures = figureArguments.Read(parse);
            string dataFolder = data.Read(parse);
            device.Read(parse);
            var metrics = SavedRuns.LoadMetrics(directory);
            if (metrics.Count == 0)
            {
                throw new UsageException($"--out {directory}: no saved runs (dim<Z>/metrics.csv) to plot");
            }

            using var backend = device.Create(parse, Console.WriteLine);
            var mnist = MnistData.Load(dataFolder, Console.WriteLine);
            var facts = RunFacts.Read(directory)
                ?? new RunFacts("unknown (no run.json)", "unknown", backend.Kind, backend.DeviceName, metrics.Values.Max(m => m.Count), 0);
            var results = ExperimentOutputs.Draw(directory, backend, mnist, parse.GetValue(seed), figures, nll: null, Console.Out);
            ExperimentOutputs.WriteReport(directory, results, facts, Console.Out);
            return CommandRunner.Success;
        }));
        return command;
    }
}
