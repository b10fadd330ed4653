using System.CommandLine;
using GpuVae.App.Data;
using GpuVae.App.Experiment;
using GpuVae.App.Runs;
using GpuVae.Kernels;
using GpuVae.Kernels.Ilgpu;

namespace GpuVae.App.Commands;

/// <summary>`GpuVae train`: trains one latent dimension and draws its pictures.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train the VAE for one latent dimension; results go to <out>/dim<Z>/");
        Configure(command);
        return command;
    }

    /// <summary>Adds train's options and action to a command: the root command trains too.</summary>
    public static void Configure(Command command)
    {
        var arguments = new TrainingArguments();
        command.Options.Add(arguments.Dim);
        command.Options.Add(arguments.Resume);
        command.Options.Add(arguments.Overwrite);
        foreach (var option in arguments.Common)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => CommandRunner.Run(cancellation =>
        {
            var settings = arguments.Read(parse, parse.GetValue(arguments.Dim), parse.GetValue(arguments.Resume), parse.GetValue(arguments.Overwrite));
            // Before anything is written, downloaded or trained: a finished run is never replaced unasked.
            DimensionRun.RefuseReplacing(settings);
            settings.EnsureOutputWritable();
            var log = Console.Out;
            foreach (string line in settings.Describe())
            {
                log.WriteLine(line);
            }

            using var backend = BackendFactory.Create(settings.Accelerator, settings.DeviceIndex, log.WriteLine);
            var data = MnistData.Load(settings.DataDirectory, log.WriteLine);
            var history = DimensionRun.Train(settings, backend, data, log, !Console.IsOutputRedirected, cancellation);
            using var trained = SavedRuns.LoadModel(settings.RunDirectory, backend);
            IReadOnlyList<string> figures = [
                .. DimensionFigures.Draw(settings.OutputDirectory, trained, data, settings.Training.Seed, new FigureOptions(), log.WriteLine),
                .. SavedRuns.DrawCurves(settings.OutputDirectory)];
            log.WriteLine($"final test loss {history[^1].TestLoss:F2} (bce {history[^1].TestBce:F2}, kld {history[^1].TestKld:F2}); pictures: {string.Join(", ", figures.Select(Path.GetFileName))} in {settings.OutputDirectory}");
            return CommandRunner.Success;
        }));
    }
}
