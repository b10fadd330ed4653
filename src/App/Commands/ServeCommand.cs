using System.CommandLine;
using System.Globalization;
using System.Net;
using GpuVae.App.Data;
using GpuVae.App.Experiment;
using GpuVae.App.Options;
using GpuVae.App.Serve;
using GpuVae.Model.Persistence;

namespace GpuVae.App.Commands;

/// <summary>
/// `GpuVae serve`: a local web page to explore a saved model's latent space, decoding through
/// our backend on the server. Ctrl-C stops it (exit 0).
/// </summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string?>("--checkpoint") { Description = "A run folder holding model.safetensors, e.g. save/dim2" };
        var output = new Option<string?>("--out") { Description = "Serve every dim<Z>/ folder holding a model.safetensors in this folder, e.g. save" };
        var port = new Option<int>("--port") { Description = "TCP port to listen on (0: any free port)", DefaultValueFactory = _ => 5000 };
        var host = new Option<string>("--host") { Description = "Address to listen on: an IP address or localhost; anything but loopback opens the page to the network", DefaultValueFactory = _ => "127.0.0.1" };
        var images = new Option<int>("--images") { Description = "Encode and show the first N test images", DefaultValueFactory = _ => 10_000 };
        var data = new DataOption();
        var device = new DeviceOptions();
        var command = new Command("serve", "A latent-space explorer in the browser, on a local web server")
        {
            checkpoint, output, port, host, images, data.Data,
        };
        foreach (var option in device.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => CommandRunner.Run(cancel =>
        {
            string? single = parse.GetValue(checkpoint);
            string? folder = parse.GetValue(output);
            int portNumber = parse.GetValue(port);
            int count = parse.GetValue(images);
            if ((single is null) == (folder is null))
            {
                throw new UsageException("give either --checkpoint (one run folder) or --out (every dim<Z>/ in a folder)");
            }

            if (portNumber is < 0 or > IPEndPoint.MaxPort)
            {
                throw new UsageException($"--port must be 0 to {IPEndPoint.MaxPort}, got {portNumber}");
            }

            if (count <= 0)
            {
                throw new UsageException($"--images must be at least 1, got {count}");
            }

            var address = Address(parse.GetValue(host)!);
            string dataFolder = data.Read(parse);
            device.Read(parse);
            var runs = single is not null ? [(Path.GetFileName(Path.TrimEndingDirectorySeparator(single)), single)] : Runs(folder!);
            foreach (var (_, directory) in runs)
            {
                // The checkpoint is read before anything else, so its errors are eval's.
                Checkpoint.ReadConfig(directory);
            }

            using var backend = device.Create(parse, Console.WriteLine);
            var test = MnistData.Load(dataFolder, Console.WriteLine).Test;
            if (test.Labels is null)
            {
                throw new UsageException($"--data {dataFolder}: serve colours the latent plane and names each test image by its label, and there is no test label file");
            }
            var served = new List<ExplorerModel>();
            try
            {
                foreach (var (id, directory) in runs)
                {
                    served.Add(new ExplorerModel(id, SavedRuns.LoadModel(directory, backend), test, count));
                }

                return Serve(served, address, portNumber, cancel).GetAwaiter().GetResult();
            }
            finally
            {
                foreach (var model in served)
                {
                    model.Dispose();
                }
            }
        }));
        return command;
    }

    private static async Task<int> Serve(List<ExplorerModel> served, IPAddress address, int port, CancellationToken cancel)
    {
        var server = await ExplorerServer.StartAsync(served, address, port).ConfigureAwait(false);
        await using (server.ConfigureAwait(false))
        {
            string names = string.Join(", ", served.Select(m => $"{m.Id} (Z = {m.Latent})"));
            Console.WriteLine($"serving {names} with {served[0].Count} test images at {server.Url} (Ctrl-C stops)");
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel, server.Stopping);
            await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            await server.StopAsync().ConfigureAwait(false);
            Console.WriteLine("stopped");
            return CommandRunner.Success;
        }
    }

    private static IPAddress Address(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : IPAddress.TryParse(host, out var address) ? address
        : throw new UsageException($"--host {host}: not an IP address or localhost");

    /// <summary>Every out/dim&lt;Z&gt;/ holding weights, by Z.</summary>
    private static List<(string Id, string Directory)> Runs(string folder)
    {
        var runs = (Directory.Exists(folder) ? Directory.GetDirectories(folder, "dim*") : [])
            .Select(d => (Directory: d, Dim: int.TryParse(Path.GetFileName(d)[3..], NumberStyles.None, CultureInfo.InvariantCulture, out int dim) ? dim : -1))
            .Where(r => r.Dim > 0 && Checkpoint.HasWeights(r.Directory))
            .OrderBy(r => r.Dim)
            .Select(r => ($"dim{r.Dim}", r.Directory))
            .ToList();
        return runs.Count > 0 ? runs : throw new UsageException($"--out {folder}: no dim<Z>/{Checkpoint.ModelFileName} to serve");
    }
}
