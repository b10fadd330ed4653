using System.Net;
using GpuVae.App.Experiment;
using GpuVae.App.Serve;
using GpuVae.Kernels.Host;
using GpuVae.Model;
using Xunit;

namespace GpuVae.Tests.Support;

/// <summary>
/// The committed dim-2 model served in this process on a free loopback port (host backend,
/// the first <see cref="Images"/> test images), and a second copy of the same weights on a
/// backend of its own, through which the tests compute what the server should answer.
/// </summary>
public sealed class ExplorerFixture : IAsyncLifetime
{
    /// <summary>Enough points for the plane to look like the full set; encoding them takes well under a second.</summary>
    public const int Images = 2000;

    private readonly HostBackend serverBackend = new();
    private readonly HostBackend referenceBackend = new();
    private ExplorerModel? served;
    private Vae? reference;

    public static string Checkpoint => Path.Combine(RepositoryPaths.Root, "save", "dim2");

    public ExplorerServer Server { get; private set; } = null!;

    public Uri Url => Server.Url;

    public HttpClient Http { get; } = new();

    /// <summary>The same weights as the server's, for decodes computed through the Model API directly.</summary>
    public VaeInference Reference { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var test = RealMnist.Load().Test;
        served = new ExplorerModel("dim2", SavedRuns.LoadModel(Checkpoint, serverBackend), test, Images);
        reference = SavedRuns.LoadModel(Checkpoint, referenceBackend);
        Reference = new VaeInference(reference, seed: 0);
        Server = await ExplorerServer.StartAsync([served], IPAddress.Loopback, 0);
        Http.BaseAddress = Server.Url;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (Server is not null)
        {
            await Server.StopAsync();
            await Server.DisposeAsync();
        }

        served?.Dispose();
        Reference?.Dispose();
        reference?.Dispose();
        serverBackend.Dispose();
        referenceBackend.Dispose();
    }
}
