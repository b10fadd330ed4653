using System.Diagnostics;
using GpuVae.Model.Persistence;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App;

/// <summary>
/// The real program, killed (SIGKILL) or interrupted (SIGINT, as Ctrl-C) while it trains,
/// leaves files that load, and `--resume` then reaches exactly the parameters and metrics of
/// a run that was never stopped.
/// </summary>
public sealed class KillAndResumeTests
{
    private const int TrainLimit = 3200;
    private const int BatchSize = 32;
    private const int StepsPerEpoch = TrainLimit / BatchSize;
    private static readonly string App = Path.Combine(AppContext.BaseDirectory, "GpuVae.dll");

    [Theory]
    [InlineData("KILL")]
    [InlineData("INT")]
    public void AStoppedRunResumesToTheUninterruptedResult(string signal)
    {
        RealMnist.Load();
        using var reference = new TempFolder();
        using var stopped = new TempFolder();
        var finished = Start(reference.Path, resume: false);
        Assert.True(finished.WaitForExit(TimeSpan.FromMinutes(2)), "the uninterrupted run did not finish");
        Assert.Equal(0, finished.ExitCode);

        var run = Start(stopped.Path, resume: false);
        string metrics = Path.Combine(stopped.Path, "dim3", "metrics.csv");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(metrics) && !run.HasExited && clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            Thread.Sleep(20);
        }

        Assert.False(run.HasExited, "the run ended before it could be stopped");
        Signal(run, signal);
        Assert.True(run.WaitForExit(TimeSpan.FromMinutes(1)), $"SIG{signal} did not stop the run");
        Assert.Equal(signal == "KILL" ? 137 : 130, run.ExitCode);

        // Whatever moment the signal hit, the files on disk are whole.
        SafeTensorsFile.Read(Path.Combine(stopped.Path, "dim3", Checkpoint.ModelFileName));
        var (_, position) = SafeTensorsFile.Read(Path.Combine(stopped.Path, "dim3", Checkpoint.OptimizerFileName));
        Assert.NotEmpty(MetricsCsv.Read(metrics));
        if (signal == "INT")
        {
            // The signal came as epoch 2 began: Ctrl-C must have saved the steps it had taken.
            Assert.True(position.TryGetValue("partial_steps", out string? steps), "SIGINT saved no position inside the epoch");
            Assert.Equal("1", position["epoch"]);
            Assert.InRange(int.Parse(steps, System.Globalization.CultureInfo.InvariantCulture), 1, StepsPerEpoch - 1);
        }

        var resumed = Start(stopped.Path, resume: true);
        Assert.True(resumed.WaitForExit(TimeSpan.FromMinutes(2)), "the resumed run did not finish");
        Assert.Equal(0, resumed.ExitCode);

        var (expected, _) = SafeTensorsFile.Read(Path.Combine(reference.Path, "dim3", Checkpoint.ModelFileName));
        var (actual, _) = SafeTensorsFile.Read(Path.Combine(stopped.Path, "dim3", Checkpoint.ModelFileName));
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, tensor) in expected)
        {
            Assert.True(tensor.Data.AsSpan().SequenceEqual(actual[name].Data), $"{name} differs after SIG{signal} and --resume");
        }

        var expectedMetrics = MetricsCsv.Read(Path.Combine(reference.Path, "dim3", "metrics.csv"));
        var actualMetrics = MetricsCsv.Read(metrics);
        Assert.Equal(expectedMetrics.Select(m => (m.Epoch, m.TrainLoss, m.TestLoss)), actualMetrics.Select(m => (m.Epoch, m.TrainLoss, m.TestLoss)));
    }

    private static Process Start(string output, bool resume)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in new[]
        {
            App, "train", "--accelerator", "host", "--dim", "3", "--hidden", "64", "--epochs", "4", "--batch-size", BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--train-limit", TrainLimit.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data", RepositoryPaths.MnistCache, "--out", output,
        })
        {
            start.ArgumentList.Add(argument);
        }

        if (resume)
        {
            start.ArgumentList.Add("--resume");
        }

        var process = Process.Start(start)!;
        // Drain both pipes so the child never blocks on a full one.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Signal(Process process, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }
}
