using GpuVae.Model.Evaluation;
using GpuVae.Model.Persistence;
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

    private ServedModel? served;

    public static string Checkpoint => Path.Combine(RepositoryPaths.Root, "save", "dim2");

    public Uri Url => served!.Server.Url;

    public HttpClient Http => served!.Http;

    /// <summary>The same weights as the server's, for decodes computed through the Model API directly.</summary>
    public VaeInference Reference => served!.Reference;

    public async ValueTask InitializeAsync() => served = await ServedModel.StartAsync(Checkpoint, RealMnist.Load().Test, Images);

    public async ValueTask DisposeAsync()
    {
        if (served is not null)
        {
            await served.DisposeAsync();
        }
    }
}
