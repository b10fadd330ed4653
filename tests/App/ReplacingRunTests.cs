using System.Diagnostics;
using GpuVae.App;
using GpuVae.App.Runs;
using GpuVae.Model.Persistence;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App;

/// <summary>
/// No trained model is lost by a re-run: `train` (and the bare command, which trains) over a
/// folder that holds one says so in one line, exit code 2, and leaves every file as it was,
/// unless --resume continues it or --overwrite replaces it; a sweep never replaces one either;
/// and README's first command writes where git does not look, so it cannot rewrite save/.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public sealed class ReplacingRunTests
{
    [Theory]
    [InlineData("train")]
    [InlineData("")]
    public void TrainingOverAFinishedRunIsRefusedAndTouchesNothing(string command)
    {
        RealMnist.Load();
        using var folder = new TempFolder();
        Assert.Equal(0, InProcessCli.RunCapturing(Arguments(command, folder.Path, "--epochs", "2")).Code);
        var before = Snapshot(folder.Path);

        var (code, error) = InProcessCli.Run(Arguments(command, folder.Path, "--epochs", "2"));

        Assert.Equal(2, code);
        string line = Assert.Single(error.Trim().Split('\n'));
        Assert.Contains(Path.Combine(folder.Path, "dim2"), line, StringComparison.Ordinal);
        Assert.Contains("trained 2 epochs (of --epochs 2)", line, StringComparison.Ordinal);
        Assert.Contains("--resume", line, StringComparison.Ordinal);
        Assert.Contains("--overwrite", line, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(folder.Path));
    }

    [Fact]
    public void OverwriteReplacesTheRun()
    {
        RealMnist.Load();
        using var folder = new TempFolder();
        Assert.Equal(0, InProcessCli.RunCapturing(Arguments("train", folder.Path, "--epochs", "2")).Code);
        string run = Path.Combine(folder.Path, "dim2");
        byte[] weights = File.ReadAllBytes(Path.Combine(run, Checkpoint.ModelFileName));

        var (code, output, _) = InProcessCli.RunCapturing(Arguments("train", folder.Path, "--epochs", "1", "--seed", "1", "--overwrite"));

        Assert.Equal(0, code);
        Assert.Contains("will be replaced", output, StringComparison.Ordinal);
        Assert.NotEqual(weights, File.ReadAllBytes(Path.Combine(run, Checkpoint.ModelFileName)));
        var state = Checkpoint.ReadState(run);
        Assert.Equal((1, 1), (state.CompletedEpochs, state.Seed));
        Assert.Single(Checkpoint.ReadMetrics(run));
    }

    [Fact]
    public void ResumeContinuesTheRun()
    {
        RealMnist.Load();
        using var folder = new TempFolder();
        Assert.Equal(0, InProcessCli.RunCapturing(Arguments("train", folder.Path, "--epochs", "1")).Code);
        string run = Path.Combine(folder.Path, "dim2");
        var first = Checkpoint.ReadMetrics(run);

        Assert.Equal(0, InProcessCli.RunCapturing(Arguments("train", folder.Path, "--epochs", "2", "--resume")).Code);

        var metrics = Checkpoint.ReadMetrics(run);
        Assert.Equal([1, 2], metrics.Select(m => m.Epoch));
        Assert.Equal(first[0], metrics[0]);
        Assert.Equal(2, Checkpoint.ReadState(run).CompletedEpochs);
    }

    [Fact]
    public void ResumeAndOverwriteTogetherAreAUsageError()
    {
        using var folder = new TempFolder();
        var (code, error) = InProcessCli.Run(Arguments("train", folder.Path, "--resume", "--overwrite"));
        Assert.Equal(2, code);
        Assert.Contains("--resume", Assert.Single(error.Trim().Split('\n')), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    /// <summary>
    /// Weights kept without their optimizer state, as save/ keeps them: neither train nor
    /// --resume may replace them (there is nothing to continue), only --overwrite; a sweep
    /// skips them as finished, and refuses them unfinished rather than train over them.
    /// </summary>
    [Fact]
    public void WeightsKeptAloneAreReplacedOnlyByOverwrite()
    {
        RealMnist.Load();
        using var folder = new TempFolder();
        Assert.Equal(0, InProcessCli.RunCapturing(Arguments("train", folder.Path, "--epochs", "1")).Code);
        string run = Path.Combine(folder.Path, "dim2");
        File.Delete(Path.Combine(run, Checkpoint.OptimizerFileName));
        var before = Snapshot(run);

        foreach (string[] again in new[] { Arguments("train", folder.Path, "--epochs", "1"), Arguments("train", folder.Path, "--epochs", "2", "--resume") })
        {
            var (code, error) = InProcessCli.Run(again);
            Assert.Equal(2, code);
            string line = Assert.Single(error.Trim().Split('\n'));
            Assert.Contains("without the optimizer state", line, StringComparison.Ordinal);
            Assert.Contains("--overwrite", line, StringComparison.Ordinal);
            Assert.Equal(before, Snapshot(run));
        }

        var (unfinished, sweepError) = InProcessCli.Run(Sweep(folder.Path, epochs: 2));
        Assert.Equal(2, unfinished);
        Assert.Contains("sweep: ", Assert.Single(sweepError.Trim().Split('\n')), StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(run));

        var (finished, output, _) = InProcessCli.RunCapturing(Sweep(folder.Path, epochs: 1));
        Assert.Equal(0, finished);
        Assert.Contains("finished in", output, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(run));

        Assert.Equal(0, InProcessCli.RunCapturing(Arguments("train", folder.Path, "--epochs", "1", "--overwrite")).Code);
        Assert.True(Checkpoint.Exists(run));
    }

    /// <summary>A sweep continues an unfinished conditional run: the classes it records come from the labels, which it reads after its checks.</summary>
    [Fact]
    public void ASweepContinuesAnUnfinishedConditionalRun()
    {
        RealMnist.Load();
        using var folder = new TempFolder();
        Assert.Equal(0, InProcessCli.RunCapturing(Arguments("train", folder.Path, "--epochs", "1", "--model", "cvae")).Code);

        var (code, output, error) = InProcessCli.RunCapturing([.. Sweep(folder.Path, epochs: 2), "--model", "cvae"]);

        Assert.True(code == 0, error);
        Assert.Contains("resuming", output, StringComparison.Ordinal);
        Assert.Equal(2, Checkpoint.ReadState(Path.Combine(folder.Path, "dim2")).CompletedEpochs);
    }

    /// <summary>
    /// README's first command, `GpuVae --dim 2` from the repository's root, and train, sweep and
    /// plot without --out write under a folder git ignores: they cannot change a committed file
    /// (save/ is regenerated only with --out save).
    /// </summary>
    [Fact]
    public void TheDefaultOutputFolderIsIgnoredByGit()
    {
        var root = Cli.Build();
        string[] outs =
        [
            .. new[] { "--dim 2", "train --dim 2", "sweep", "plot" }.Select(line => root.Parse(line).GetValue<string>("--out")!),
        ];
        Assert.All(outs, folder => Assert.Equal(TrainingArguments.DefaultOut, folder));

        string[] written = ["dim2/model.safetensors", "dim2/optimizer.safetensors", "dim2/metrics.csv", "dim2.png", "manifold.png", "report.md"];
        var (inRepository, _) = Git("rev-parse", "--is-inside-work-tree");
        Assert.SkipUnless(inRepository == 0, $"{RepositoryPaths.Root} is not a git work tree (or git is not on PATH)");
        foreach (string file in written)
        {
            string path = $"{TrainingArguments.DefaultOut}/{file}";
            // check-ignore answers 0 for a path git ignores and does not track.
            Assert.True(Git("check-ignore", "-q", path).Code == 0, $"{path}, which README's first command writes, is not ignored by git");
        }

        // The committed results are not: they change only when asked to.
        Assert.Equal(1, Git("check-ignore", "-q", "save/dim2/model.safetensors").Code);
    }

    private static (int Code, string Output) Git(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = RepositoryPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var git = Process.Start(start)!;
            string output = git.StandardOutput.ReadToEnd();
            git.StandardError.ReadToEnd();
            git.WaitForExit();
            return (git.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, string.Empty);
        }
    }

    /// <summary>Every file under folder with its bytes, by relative path.</summary>
    private static Dictionary<string, string> Snapshot(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(path => Path.GetRelativePath(folder, path), path => Convert.ToHexString(File.ReadAllBytes(path)));

    /// <summary>A tiny dim-2 run on 64 real images, by `train` or the bare command ("").</summary>
    private static string[] Arguments(string command, string output, params string[] options) =>
    [
        .. command.Length > 0 ? [command] : Array.Empty<string>(),
        "--accelerator", "host", "--dim", "2", "--hidden", "16", "--batch-size", "32", "--train-limit", "64",
        "--data", RepositoryPaths.MnistCache, "--out", output, .. options,
    ];

    private static string[] Sweep(string output, int epochs) =>
    [
        "sweep", "--accelerator", "host", "--dims", "2", "--hidden", "16", "--batch-size", "32", "--epochs", $"{epochs}", "--train-limit", "64",
        "--nll-samples", "0", "--data", RepositoryPaths.MnistCache, "--out", output,
    ];
}
