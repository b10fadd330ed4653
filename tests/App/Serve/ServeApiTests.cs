using System.Net;
using System.Text;
using System.Text.Json;
using GpuVae.App.Serve;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App.Serve;

/// <summary>
/// The explorer's HTTP API: decodes equal the model's, every malformed request is a 400 whose
/// body says why (and the server answers the next request), and nothing but the page and the
/// computing APIs is reachable.
/// </summary>
[Collection(nameof(ExplorerCollection))]
public sealed class ServeApiTests(ExplorerFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task DecodeAnswersTheModelsDecoderMeans()
    {
        float[] z = [0.75f, -1.5f];
        var answer = await Json(await Post("""{"z": [0.75, -1.5]}"""), HttpStatusCode.OK);
        var pixels = answer.GetProperty("pixels").EnumerateArray().Select(p => p.GetSingle()).ToArray();
        // Same weights, same backend kind, same batch of one: the same floats, bit for bit.
        Assert.Equal(fixture.Reference.Decode(z), pixels);
        Assert.Equal("dim2", answer.GetProperty("model").GetString());
    }

    [Fact]
    public async Task APlainVaesAnswersCarryNoClass()
    {
        var models = await Json(await Http.GetAsync(new Uri("api/models", UriKind.Relative), Cancel), HttpStatusCode.OK);
        Assert.False(Assert.Single(models.EnumerateArray()).TryGetProperty("classes", out _));
        Assert.False((await Json(await Post("""{"z": [0, 0]}"""), HttpStatusCode.OK)).TryGetProperty("class", out _));
    }

    [Theory]
    [InlineData("""{"z": [1]}""", "\"z\" has length 1; model dim2 has Z = 2")]
    [InlineData("""{"z": [1, 2, 3]}""", "\"z\" has length 3")]
    [InlineData("""{"z": []}""", "\"z\" has length 0")]
    [InlineData("""{"z": [1, NaN]}""", "not JSON")]
    [InlineData("""{"z": [1, "NaN"]}""", "z[1] is the string \"NaN\", not a number")]
    [InlineData("""{"z": [Infinity, 1]}""", "not JSON")]
    [InlineData("""{"z": [1e400, 1]}""", "z[0] = 1e400 is not a finite number")]
    [InlineData("""{"z": [1, 10000.5]}""", "z[1] = 10000.5 is outside [-1e4, 1e4]")]
    [InlineData("""{"z": [-2e38, 0]}""", "is outside [-1e4, 1e4]")]
    [InlineData("""{"z": [null, 0]}""", "z[0] is null, not a number")]
    [InlineData("""{"z": [[1], 0]}""", "z[0] is an array, not a number")]
    [InlineData("""{"z": "0.5, 1"}""", "\"z\" must be an array of 2 numbers")]
    [InlineData("""{}""", "\"z\" is missing")]
    [InlineData("""{"z": [1, 2], "label": 3}""", "unknown field \"label\"")]
    [InlineData("""{"z": [1, 2], "class": 3}""", "\"class\" is given, but model dim2 is a plain VAE, which decodes z alone: leave \"class\" out")]
    [InlineData("""{"model": "dim20", "z": [1, 2]}""", "unknown model \"dim20\": this server has dim2")]
    [InlineData("""{"model": 2, "z": [1, 2]}""", "\"model\" must be a string")]
    [InlineData("""[0.5, 1]""", "must be a JSON object")]
    [InlineData("""{"z": [1, 2]""", "not JSON")]
    [InlineData("z=1,2", "not JSON")]
    [InlineData("", "the body is empty")]
    public async Task ABadDecodeRequestIs400WithTheReasonAndTheServerKeepsServing(string body, string reason)
    {
        var answer = await Json(await Post(body), HttpStatusCode.BadRequest);
        Assert.Contains(reason, answer.GetProperty("error").GetString(), StringComparison.Ordinal);
        await Json(await Post("""{"z": [0, 0]}"""), HttpStatusCode.OK);
    }

    [Fact]
    public async Task ABodyLargerThanAnyDecodeRequestIsRefused()
    {
        string body = $$"""{"z": [{{string.Join(", ", Enumerable.Repeat("0.125", 20_000))}}]}""";
        // Expect: 100-continue lets the server refuse before the client sends the body, as a
        // browser's fetch of a large body would see it; without it the refusal races the upload.
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/decode", UriKind.Relative)) { Content = new StringContent(body) };
        request.Headers.ExpectContinue = true;
        var answer = await Json(await Http.SendAsync(request, Cancel), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains($"at most {ExplorerServer.MaxRequestBytes}", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
        await Json(await Post("""{"z": [0, 0]}"""), HttpStatusCode.OK);
    }

    [Fact]
    public async Task AnImageComesWithItsReconstructionAndPosterior()
    {
        const int index = 7;
        var answer = await Json(await Http.GetAsync(new Uri("api/models/dim2/images/7", UriKind.Relative), Cancel), HttpStatusCode.OK);
        var image = RealMnist.Load().Test.Images.AsSpan(index * 784, 784).ToArray();
        var (mu, sigma) = fixture.Reference.EncodePosteriors(image);
        Assert.Equal(RealMnist.Load().Test.Labels![index], answer.GetProperty("label").GetInt32());
        Assert.Equal(image, Floats(answer, "image"));
        Assert.Equal(mu, Floats(answer, "mu"));
        Assert.Equal(sigma, Floats(answer, "sigma"));
        Assert.Equal(fixture.Reference.Decode(mu), Floats(answer, "reconstruction"));
    }

    [Fact]
    public async Task TheCodesAreTheTestImagesPosteriorMeans()
    {
        var answer = await Json(await Http.GetAsync(new Uri("api/models/dim2/codes", UriKind.Relative), Cancel), HttpStatusCode.OK);
        var test = RealMnist.Load().Test;
        var (mu, _) = fixture.Reference.EncodePosteriors(test.Images.AsSpan(0, ExplorerFixture.Images * 784));
        Assert.Equal(mu, Floats(answer, "mu"));
        Assert.Equal(test.Labels!.Take(ExplorerFixture.Images).Select(l => (int)l), answer.GetProperty("labels").EnumerateArray().Select(l => l.GetInt32()));
    }

    [Theory]
    [InlineData("api/models/dim20/codes", "unknown model \"dim20\"")]
    [InlineData("api/models/dim2/images/2000", "no test image \"2000\": model dim2 serves images 0 to 1999")]
    [InlineData("api/models/dim2/images/-1", "no test image \"-1\"")]
    [InlineData("api/models/dim2/images/x", "no test image \"x\"")]
    public async Task AnUnknownModelOrImageIs404WithTheReason(string path, string reason)
    {
        var answer = await Json(await Http.GetAsync(new Uri(path, UriKind.Relative), Cancel), HttpStatusCode.NotFound);
        Assert.Contains(reason, answer.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "text/html")]
    [InlineData("explorer.js", "text/javascript")]
    [InlineData("explorer.css", "text/css")]
    public async Task ThePageIsServed(string path, string contentType)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative), Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.NotEmpty(await response.Content.ReadAsStringAsync(Cancel));
    }

    [Theory]
    [InlineData("PUT", "api/decode", HttpStatusCode.MethodNotAllowed)]
    [InlineData("DELETE", "api/models", HttpStatusCode.MethodNotAllowed)]
    [InlineData("POST", "", HttpStatusCode.MethodNotAllowed)]
    [InlineData("PUT", "explorer.js", HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", "api/decode", HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", "GpuVae.dll", HttpStatusCode.NotFound)]
    [InlineData("GET", "index.html", HttpStatusCode.NotFound)]
    [InlineData("GET", "%2e%2e/%2e%2e/etc/passwd", HttpStatusCode.NotFound)]
    [InlineData("GET", "save/dim2/model.safetensors", HttpStatusCode.NotFound)]
    [InlineData("POST", "upload", HttpStatusCode.NotFound)]
    public async Task NothingElseIsReachableAndNothingWritable(string method, string path, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)) { Content = new StringContent("x") };
        using var response = await Http.SendAsync(request, Cancel);
        Assert.Equal(expected, response.StatusCode);
    }

    private async Task<HttpResponseMessage> Post(string body) =>
        await Http.PostAsync(new Uri("api/decode", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), Cancel);

    internal static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            string text = await response.Content.ReadAsStringAsync(Cancel);
            Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    private static float[] Floats(JsonElement element, string name) =>
        element.GetProperty(name).EnumerateArray().Select(p => p.GetSingle()).ToArray();
}
