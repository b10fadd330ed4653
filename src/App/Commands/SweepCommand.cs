using System.CommandLine;
using System.Diagnostics;
using GpuVae.App.Data;
using GpuVae.App.Experiment;
using GpuVae.App.Options;
using GpuVae.App.Runs;
using GpuVae.Kernels;
using GpuVae.Kernels.Ilgpu;
using GpuVae.Model.Persistence;

namespace GpuVae.App.Commands;

/// <summary>
/// `GpuVae sweep`: the TensorFlow original's experiment. Trains every latent dimension in lockstep, a step
/// of each at a time (finished ones are skipped and interrupted ones resumed, so a sweep can be
/// continued), then draws every picture, estimates each dim's NLL and writes report.md.
/// </summary>
public static class SweepCommand
{
    public static Command Create()
    {
        var arguments = new TrainingArguments();
        var figureArguments = new FigureArguments();
        var dims = new DimsOption("Comma-separated latent dimensions", "2,4,8,10,20,100");
        var nllSamples = new Option<int>("--nll-samples") { Description = "Importance samples k per image for each dim's test NLL (0 skips it)", DefaultValueFactory = _ => 1000 };
        var nllImages = new Option<int>("--nll-images") { Description = "Test images the NLL averages over (the first N)", DefaultValueFactory = _ => 10_000 };
        var command = new Command("sweep", "Train every latent dimension, then draw all pictures and write <out>/report.md") { dims.Dims };
        foreach (var option in arguments.Common.Concat(figureArguments.All).Append(nllSamples).Append(nllImages))
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => CommandRunner.Run(cancellation =>
        {
            var clock = Stopwatch.StartNew();
            // Read before training: the report must name the code that ran, not a later checkout.
            string commandLine = RunFacts.CommandLine();
            string commit = RunFacts.CurrentCommit();
            var latents = dims.Read(parse);
            var runs = latents.Select(dim => arguments.Read(parse, dim, resume: true)).ToList();
            var figures = figureArguments.Read(parse);
            var nll = ReadNll(parse.GetValue(nllSamples), parse.GetValue(nllImages));
            foreach (var run in runs)
            {
                run.EnsureOutputWritable();
                // Every dim is checked before the first trains: a sweep never continues, or skips as
                // finished, a run trained otherwise (another model kind, objective, seed, ...).
                if (Checkpoint.Exists(run.RunDirectory))
                {
                    // The image shape and the classes come from the data, read later; DimensionRun.Train checks the saved ones against it.
                    var saved = Checkpoint.ReadConfig(run.RunDirectory);
                    var asked = run.Network with { Pixels = saved.Pixels, ImageRows = saved.ImageRows, ImageCols = saved.ImageCols, Classes = saved.Classes };
                    DimensionRun.RefuseOtherSettings(run.RunDirectory, run, asked, "sweep");
                }
                else if (Checkpoint.HasWeights(run.RunDirectory))
                {
                    DimensionRun.RefuseOtherKind(run.RunDirectory, Checkpoint.ReadConfig(run.RunDirectory), run.Network);
                    // Weights kept without their optimizer state (as save/ keeps them): finished, the sweep
                    // draws from them; unfinished, it can neither continue them nor may it replace them.
                    if (!DimensionRun.IsFinished(run.RunDirectory, run.Training.Epochs))
                    {
                        throw new UsageException(
                            $"sweep: {run.RunDirectory} holds a model trained {RunProgress.Read(run.RunDirectory)} (of --epochs {run.Training.Epochs}) without the optimizer state to continue it: move it away or pass another --out");
                    }
                }
            }

            var first = runs[0];
            var log = Console.Out;
            log.WriteLine($"sweep over dims {string.Join(", ", latents)}");
            log.WriteLine($"data {first.DataDirectory} | out {first.OutputDirectory}");

            using var backend = BackendFactory.Create(first.Accelerator, first.DeviceIndex, log.WriteLine);
            var data = MnistData.Load(first.DataDirectory, log.WriteLine);
            var previous = RunFacts.Read(first.OutputDirectory);
            bool continued = false;
            var unfinished = new List<RunSettings>();
            foreach (var run in runs)
            {
                // A kill after a dim's last commit leaves its files one step short of it.
                Checkpoint.Recover(run.RunDirectory);
                if (DimensionRun.IsFinished(run.RunDirectory, run.Training.Epochs))
                {
                    log.WriteLine($"dim {run.Network.Latent}: finished in {run.RunDirectory}, skipped");
                    continued = true;
                    continue;
                }

                continued |= Checkpoint.Exists(run.RunDirectory);
                unfinished.Add(run);
            }

            Train(unfinished, backend, data, log, cancellation);
            var results = ExperimentOutputs.Draw(first.OutputDirectory, backend, data, first.Training.Seed, figures, nll, log);
            double earlier = continued && previous is not null ? previous.WallSeconds : 0;
            var facts = new RunFacts(commandLine, commit, backend.Kind, backend.DeviceName, first.Training.Epochs, earlier + clock.Elapsed.TotalSeconds);
            ExperimentOutputs.WriteReport(first.OutputDirectory, results, facts, log);
            facts.Write(first.OutputDirectory);
            log.WriteLine($"sweep done in {TimeSpan.FromSeconds(facts.WallSeconds):hh\\:mm\\:ss} (this invocation {clock.Elapsed:hh\\:mm\\:ss})");
            return CommandRunner.Success;
        }));
        return command;
    }

    /// <summary>
    /// The unfinished dims, on CUDA trained in lockstep (<see cref="LockstepTraining"/>) side by
    /// side, each on a stream of its own; elsewhere one after another: on one backend that does
    /// each operation as it is queued, taking turns a step at a time only makes the dims evict
    /// each other's weights from the caches (2 dims, 2 epochs each on the host: 21.4, 21.4 and
    /// 18.2 s of training in turns against 18.2, 18.7 and 15.7 s one after another).
    /// </summary>
    private static void Train(IReadOnlyList<RunSettings> runs, Backend backend, MnistData data, TextWriter log, CancellationToken cancellation)
    {
        if (runs.Count == 0)
        {
            return;
        }

        using var backends = ConcurrentBackends.Create(backend, runs.Count);
        if (runs.Count > 1)
        {
            log.WriteLine(backends.Description);
        }

        if (backends.SideBySide)
        {
            TrainInLockstep(runs, [.. runs.Select((_, i) => backends[i])], data, log, cancellation);
            return;
        }

        foreach (var run in runs)
        {
            TrainInLockstep([run], [backend], data, log, cancellation);
        }
    }

    private static void TrainInLockstep(IReadOnlyList<RunSettings> runs, IReadOnlyList<Backend> backends, MnistData data, TextWriter log, CancellationToken cancellation)
    {
        var dims = new List<DimensionTraining>();
        try
        {
            for (int i = 0; i < runs.Count; i++)
            {
                log.WriteLine(runs[i].Describe().First());
                dims.Add(DimensionTraining.Open(runs[i], backends[i], data, log));
            }

            LockstepTraining.Train(dims, log, !Console.IsOutputRedirected, cancellation);
        }
        finally
        {
            foreach (var dim in dims)
            {
                dim.Dispose();
            }
        }
    }

    private static NllOptions? ReadNll(int samples, int images)
    {
        if (samples < 0)
        {
            throw new UsageException($"--nll-samples must be 0 or more, got {samples}");
        }

        if (images < 1)
        {
            throw new UsageException($"--nll-images must be at least 1, got {images}");
        }

        return samples == 0 ? null : new NllOptions(samples, images);
    }
}
