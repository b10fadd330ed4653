using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using GpuVae.Model.Persistence;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App.Serve;

/// <summary>
/// `GpuVae serve` on the command line: a bad checkpoint fails as `eval` fails, a port in use
/// is one line and exit 2, and Ctrl-C (SIGINT) stops the real program cleanly with exit 0.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public sealed class ServeCommandTests
{
    private static readonly string App = Path.Combine(AppContext.BaseDirectory, "GpuVae.dll");

    [Fact]
    public void AMissingCheckpointGivesEvalsError()
    {
        using var folder = new TempFolder();
        string missing = Path.Combine(folder.Path, "dim2");
        var (evalCode, evalError) = Run(["eval", "--checkpoint", missing, "--accelerator", "host", "--data", RepositoryPaths.MnistCache]);
        var (code, error) = Run(["serve", "--checkpoint", missing, "--accelerator", "host", "--data", RepositoryPaths.MnistCache]);
        Assert.Equal((evalCode, evalError), (code, error));
        Assert.Equal(1, code);
        Assert.Contains(missing, error, StringComparison.Ordinal);
    }

    [Fact]
    public void ACorruptCheckpointGivesEvalsError()
    {
        using var folder = new TempFolder();
        var bytes = File.ReadAllBytes(Path.Combine(ExplorerFixture.Checkpoint, Checkpoint.ModelFileName));
        folder.Write(Checkpoint.ModelFileName, bytes[..(bytes.Length / 2)]);
        var (evalCode, evalError) = Run(["eval", "--checkpoint", folder.Path, "--accelerator", "host", "--images", "1", "--samples", "0", "--data", RepositoryPaths.MnistCache]);
        var (code, error) = Run(["serve", "--checkpoint", folder.Path, "--accelerator", "host", "--images", "1", "--data", RepositoryPaths.MnistCache]);
        Assert.Equal((evalCode, evalError), (code, error));
        Assert.Equal(1, code);
    }

    [Fact]
    public void APortInUseIsOneLineAndExitCode2()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (code, error) = Run(["serve", "--checkpoint", ExplorerFixture.Checkpoint, "--accelerator", "host", "--images", "10", "--port", $"{port}", "--data", RepositoryPaths.MnistCache]);
        Assert.Equal(2, code);
        Assert.Equal($"error: --port {port}: cannot listen on 127.0.0.1:{port}: address already in use", error.TrimEnd('\n'));
    }

    [Theory]
    // Each fails on its options before any path is read, so the relative paths are never opened.
    [InlineData("serve --accelerator host", "give either --checkpoint")]
    [InlineData("serve --checkpoint save/dim2 --out save", "give either --checkpoint")]
    [InlineData("serve --checkpoint save/dim2 --port 70000", "--port must be 0 to 65535, got 70000")]
    [InlineData("serve --checkpoint save/dim2 --port -1", "--port")]
    [InlineData("serve --checkpoint save/dim2 --images 0", "--images must be at least 1")]
    [InlineData("serve --checkpoint save/dim2 --host example.org", "--host example.org: not an IP address or localhost")]
    public void BadOptionsAreUsageErrorsNamingTheOption(string arguments, string culprit)
    {
        var (code, error) = Run(arguments.Split(' '));
        Assert.Equal(2, code);
        Assert.Contains(culprit, error, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOutFolderWithoutWeightsIsAUsageError()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "dim4"));
        var (code, error) = Run(["serve", "--out", folder.Path, "--accelerator", "host"]);
        Assert.Equal(2, code);
        Assert.Contains($"--out {folder.Path}: no dim<Z>/model.safetensors to serve", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task CtrlCOrTermStopsTheServerWithExitCode0(string signal)
    {
        // A process started in the background of a shell without job control inherits SIGINT
        // ignored, and .NET then leaves it ignored; so would the server started from here.
        Assert.SkipWhen(signal == "INT" && IgnoresSigint(), "this test host was started with SIGINT ignored (a background job), so its children ignore Ctrl-C too");
        RealMnist.Load();
        int port = FreePort();
        var cancel = TestContext.Current.CancellationToken;
        using var process = StartServe(["--out", Path.Combine(RepositoryPaths.Root, "save"), "--images", "100"], port);
        var output = process.StandardOutput.ReadToEndAsync(cancel);
        var error = process.StandardError.ReadToEndAsync(cancel);
        var url = new Uri($"http://127.0.0.1:{port}/");
        string models = await Poll(url, process, cancel);
        // save/ holds weights for dim 2 only (the other dims' checkpoints stay out of git).
        Assert.Equal("""[{"id":"dim2","latent":2,"layers":"500:elu,500:tanh | 500:tanh,500:elu","pixels":784,"images":100}]""", models);

        using (var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(cancel);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal("", await error);
        Assert.Equal(0, process.ExitCode);
        string[] lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"serving dim2 (Z = 2) with 100 test images at {url} (Ctrl-C stops)", lines[^2]);
        Assert.Equal("stopped", lines[^1]);
    }

    [Fact]
    public async Task ACvaeCheckpointIsServedWithItsClasses()
    {
        using var folder = new TempFolder();
        var (trained, log, trainError) = InProcessCli.RunCapturing(
        [
            "train", "--model", "cvae", "--accelerator", "host", "--dim", "2", "--hidden", "16", "--batch-size", "50", "--epochs", "1",
            "--train-limit", "1000", "--data", RepositoryPaths.MnistCache, "--out", folder.Path,
        ]);
        Assert.True(trained == 0, $"train failed ({trained}): {trainError}\n{log}");
        int port = FreePort();
        var cancel = TestContext.Current.CancellationToken;
        using var process = StartServe(["--checkpoint", Path.Combine(folder.Path, "dim2"), "--images", "10"], port);
        var error = process.StandardError.ReadToEndAsync(cancel);
        string models = await Poll(new Uri($"http://127.0.0.1:{port}/"), process, cancel);
        Assert.Equal("""[{"id":"dim2","latent":2,"layers":"16:elu,16:tanh | 16:tanh,16:elu","pixels":784,"images":10,"classes":10}]""", models);
        process.Kill();
        await process.WaitForExitAsync(cancel);
        Assert.Equal("", await error);
    }

    [Fact]
    public async Task ATanhEverywhereCheckpointIsServedWithItsLayers()
    {
        using var folder = new TempFolder();
        var (trained, log, trainError) = InProcessCli.RunCapturing(
        [
            "train", "--encoder", "200:tanh,200:tanh", "--decoder", "200:tanh,200:tanh", "--accelerator", "host", "--dim", "50", "--epochs", "1",
            "--train-limit", "256", "--data", RepositoryPaths.MnistCache, "--out", folder.Path,
        ]);
        Assert.True(trained == 0, $"train failed ({trained}): {trainError}\n{log}");
        int port = FreePort();
        var cancel = TestContext.Current.CancellationToken;
        using var process = StartServe(["--checkpoint", Path.Combine(folder.Path, "dim50"), "--images", "10"], port);
        var error = process.StandardError.ReadToEndAsync(cancel);
        var url = new Uri($"http://127.0.0.1:{port}/");
        string models = await Poll(url, process, cancel);
        Assert.Equal("""[{"id":"dim50","latent":50,"layers":"200:tanh,200:tanh | 200:tanh,200:tanh","pixels":784,"images":10}]""", models);
        using var client = new HttpClient();
        using var decoded = await client.PostAsync(
            new Uri(url, "api/decode"), new StringContent($"{{\"z\": [{string.Join(",", Enumerable.Repeat("0", 50))}]}}", System.Text.Encoding.UTF8, "application/json"), cancel);
        Assert.True(decoded.IsSuccessStatusCode, await decoded.Content.ReadAsStringAsync(cancel));
        process.Kill();
        await process.WaitForExitAsync(cancel);
        Assert.Equal("", await error);
    }

    /// <summary>The real program serving on port, host backend, with options.</summary>
    private static Process StartServe(string[] options, int port)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in (string[])[
            App, "serve", .. options, "--accelerator", "host", "--port", port.ToString(CultureInfo.InvariantCulture), "--data", RepositoryPaths.MnistCache])
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    private static async Task<string> Poll(Uri url, Process process, CancellationToken cancel)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await http.GetStringAsync(new Uri(url, "api/models"), cancel);
            }
            catch (HttpRequestException) when (!process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(1))
            {
                await Task.Delay(100, cancel);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IgnoresSigint()
    {
        string? line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) : null;
        return line is not null && (ulong.Parse(line[7..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 2) != 0;
    }

    /// <summary>A failing command through <see cref="InProcessCli"/>, whose stderr must be exactly one line.</summary>
    private static (int Code, string Error) Run(string[] arguments)
    {
        var (code, error) = InProcessCli.Run(arguments);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        return (code, error);
    }
}
