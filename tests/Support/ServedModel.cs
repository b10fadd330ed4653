using System.Net;
using GpuVae.App.Data;
using GpuVae.App.Experiment;
using GpuVae.App.Serve;
using GpuVae.Kernels.Host;
using GpuVae.Model.Evaluation;
using GpuVae.Model.Network;

namespace GpuVae.Tests.Support;

/// <summary>
/// A checkpoint served in this process on a free loopback port (host backend, the first test
/// images), and a second copy of the same weights on a backend of its own, through which the
/// tests compute what the server should answer: what the explorer fixtures share.
/// </summary>
public sealed class ServedModel : IAsyncDisposable
{
    private readonly HostBackend serverBackend = new();
    private readonly HostBackend referenceBackend = new();
    private ExplorerModel? served;
    private Vae? reference;

    private ServedModel()
    {
    }

    public ExplorerServer Server { get; private set; } = null!;

    public HttpClient Http { get; } = new();

    /// <summary>The same weights as the server's, for decodes computed through the Model API directly.</summary>
    public VaeInference Reference { get; private set; } = null!;

    /// <summary>Serves the checkpoint's model as `serve` loads it, over the first <paramref name="images"/> test images.</summary>
    public static async Task<ServedModel> StartAsync(string checkpoint, MnistSet test, int images)
    {
        var model = new ServedModel();
        model.served = new ExplorerModel("dim2", SavedRuns.LoadModel(checkpoint, model.serverBackend), test, images);
        model.reference = SavedRuns.LoadModel(checkpoint, model.referenceBackend);
        model.Reference = new VaeInference(model.reference, seed: 0);
        model.Server = await ExplorerServer.StartAsync([model.served], IPAddress.Loopback, 0);
        model.Http.BaseAddress = model.Server.Url;
        return model;
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
