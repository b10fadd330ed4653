using GpuVae.Model.Network;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GpuVae.App.Serve;

/// <summary>
/// The latent-space explorer's web server (Kestrel, minimal APIs). It serves the page from the
/// assembly's resources and JSON APIs that only compute: nothing over HTTP reads or writes a
/// file. Every model shares one backend, which is not thread-safe, so one lock serializes
/// every call into a model.
/// <code>
/// GET  /                                 the page (and /explorer.js, /explorer.css)
/// GET  /api/models                       [{id, latent, hidden, pixels, images, classes?}]
/// GET  /api/models/{id}/codes            {labels (N), mu (N, Z) row-major}
/// GET  /api/models/{id}/images/{index}   {index, label, image (D), reconstruction (D), mu (Z), sigma (Z)}
/// POST /api/decode  {"model"?, "z": [Z], "class"?}  {model, z (Z), class?, pixels (D)}: the decoder's means
/// </code>
/// A conditional model lists its C classes, every decode names one ("class": 0..C-1), and its
/// posteriors and reconstructions are given each test image's true label. A plain VAE's
/// answers carry no class at all, as before there were conditional models.
/// Refused requests get 400 (404 for an unknown model or image) and {"error": reason}.
/// </summary>
public sealed class ExplorerServer : IAsyncDisposable
{
    /// <summary>A decode request of Z = 100 numbers is about 2 kB; nothing larger is needed.</summary>
    public const long MaxRequestBytes = 64 * 1024;

    /// <summary>Leaves "classes" and "class" out of a plain VAE's answers rather than sending null.</summary>
    private static readonly JsonSerializerOptions OmitNull = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private static readonly Dictionary<string, (string Resource, string ContentType)> Files = new()
    {
        ["/"] = ("index.html", "text/html; charset=utf-8"),
        ["/explorer.js"] = ("explorer.js", "text/javascript; charset=utf-8"),
        ["/explorer.css"] = ("explorer.css", "text/css; charset=utf-8"),
    };

    private readonly WebApplication app;
    private readonly Dictionary<string, ExplorerModel> models;
    private readonly Lock gate = new();

    private ExplorerServer(WebApplication app, Dictionary<string, ExplorerModel> models)
    {
        this.app = app;
        this.models = models;
    }

    /// <summary>Where the server listens, e.g. http://127.0.0.1:5000/.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Signalled when the host stops by itself (SIGTERM, or Ctrl-C seen by the host first).</summary>
    public CancellationToken Stopping => app.Lifetime.ApplicationStopping;

    /// <summary>
    /// Listens on address:port (0: any free port) and returns once it accepts connections.
    /// A port that cannot be bound is a <see cref="UsageException"/> naming it.
    /// </summary>
    public static async Task<ExplorerServer> StartAsync(IReadOnlyList<ExplorerModel> served, IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(served);
        ArgumentNullException.ThrowIfNull(address);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBytes;
            kestrel.Listen(address, port);
        });
        var server = new ExplorerServer(builder.Build(), served.ToDictionary(m => m.Id));
        server.Map();
        try
        {
            await server.app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await server.app.DisposeAsync().ConfigureAwait(false);
            string reason = e.InnerException is AddressInUseException ? "address already in use" : e.InnerException?.Message ?? e.Message;
            throw new UsageException($"--port {port}: cannot listen on {Endpoint(address, port)}: {reason}");
        }

        var bound = server.app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.Url = new Uri(bound.EndsWith('/') ? bound : bound + "/");
        return server;
    }

    public Task StopAsync() => app.StopAsync();

    public async ValueTask DisposeAsync() => await app.DisposeAsync().ConfigureAwait(false);

    private static string Endpoint(IPAddress address, int port) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{address}]:{port.ToString(CultureInfo.InvariantCulture)}"
            : $"{address}:{port.ToString(CultureInfo.InvariantCulture)}";

    private static IResult Error(ApiException e) => Results.Json(new { error = e.Message }, statusCode: e.Status);

    private static async Task<string> ReadBody(HttpRequest request)
    {
        if (request.ContentLength > MaxRequestBytes)
        {
            throw new ApiException(StatusCodes.Status413PayloadTooLarge, $"the body has {request.ContentLength} bytes; at most {MaxRequestBytes} are read");
        }

        try
        {
            using var reader = new StreamReader(request.Body);
            return await reader.ReadToEndAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            throw new ApiException(e.StatusCode, e.Message);
        }
    }

    private void Map()
    {
        foreach (var (path, (resource, contentType)) in Files)
        {
            app.MapGet(path, () => Results.Stream(Page(resource), contentType));
        }

        app.MapGet("/api/models", () => Results.Json(
            models.Values.Select(m => new
            {
                id = m.Id, latent = m.Latent, layers = $"{HiddenSpecs.Format(m.Config.Encoder)} | {HiddenSpecs.Format(m.Config.Decoder)}", pixels = m.Pixels, images = m.Count,
                classes = m.ReadsLabels ? m.Classes : (int?)null,
            }),
            OmitNull));
        app.MapGet("/api/models/{id}/codes", (string id) => Handle(() =>
        {
            var m = Model(id);
            return Results.Json(new { id = m.Id, latent = m.Latent, labels = m.Labels.Select(l => (int)l), mu = m.Mu });
        }));
        app.MapGet("/api/models/{id}/images/{index}", (string id, string index) => Handle(() =>
        {
            var m = Model(id);
            if (!int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out int i) || i >= m.Count)
            {
                throw new ApiException(StatusCodes.Status404NotFound, $"no test image \"{index}\": model {m.Id} serves images 0 to {m.Count - 1}");
            }

            float[] reconstruction;
            lock (gate)
            {
                reconstruction = m.Reconstruct(i);
            }

            return Results.Json(new
            {
                index = i, label = (int)m.Labels[i], image = m.Images.AsSpan(i * m.Pixels, m.Pixels).ToArray(), reconstruction,
                mu = m.Mu.AsSpan(i * m.Latent, m.Latent).ToArray(),
                sigma = m.Sigma.AsSpan(i * m.Latent, m.Latent).ToArray(),
            });
        }));
        app.MapPost("/api/decode", async (HttpRequest request) =>
        {
            try
            {
                var decode = DecodeRequest.Parse(await ReadBody(request).ConfigureAwait(false), models);
                float[] pixels;
                lock (gate)
                {
                    pixels = decode.Model.Decode(decode.Z, decode.Class);
                }

                return Results.Json(new { model = decode.Model.Id, z = decode.Z, @class = decode.Class, pixels }, OmitNull);
            }
            catch (ApiException e)
            {
                return Error(e);
            }
        });
    }

    private static IResult Handle(Func<IResult> body)
    {
        try
        {
            return body();
        }
        catch (ApiException e)
        {
            return Error(e);
        }
    }

    private ExplorerModel Model(string id) =>
        models.TryGetValue(id, out var model)
            ? model
            : throw new ApiException(StatusCodes.Status404NotFound, $"unknown model \"{id}\": this server has {string.Join(", ", models.Keys)}");

    private static Stream Page(string name) =>
        typeof(ExplorerServer).Assembly.GetManifestResourceStream("GpuVae.Serve.Page." + name)
        ?? throw new InvalidOperationException($"the page resource {name} is missing from the assembly");
}
