using System.Net;
using System.Text;
using System.Text.Json;
using GpuVae.App.Serve;
using GpuVae.Kernels.Host;
using GpuVae.Model.Evaluation;
using GpuVae.Model.Network;
using GpuVae.Tests.App.Figures;
using GpuVae.Tests.Support;
using PuppeteerSharp;
using Xunit;

namespace GpuVae.Tests.App.Serve;

/// <summary>
/// The explorer serving a conditional VAE: the model list names its classes, every decode is
/// given one and equals the model's decode as that class, a missing or bad class is a 400 naming
/// "class", posteriors and reconstructions are given each image's true label, and the page's
/// class selector redraws the decoded z as the class picked.
/// </summary>
[Collection(nameof(ExplorerCollection))]
public sealed class ServeCvaeTests(CvaeExplorerFixture fixture, Chromium chromium) : IClassFixture<CvaeExplorerFixture>, IClassFixture<Chromium>
{
    /// <summary>
    /// Pixels whose decodes as two classes differ by more than 0.1, at least: the tiny trained
    /// model's decodes of one z as 3 and as 8 (or 0 and 8) differ so in about 400 of the 784.
    /// </summary>
    private const int MinChangedPixels = 100;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static string Results => Path.Combine(RepositoryPaths.Root, "TestResults");

    [Fact]
    public async Task TheModelListNamesTheClasses()
    {
        var models = await ServeApiTests.Json(await fixture.Http.GetAsync(new Uri("api/models", UriKind.Relative), Cancel), HttpStatusCode.OK);
        var model = Assert.Single(models.EnumerateArray());
        Assert.Equal(CvaeExplorerFixture.Classes, model.GetProperty("classes").GetInt32());
    }

    [Fact]
    public async Task TwoClassesDecodeTheSameZIntoDifferentImagesEachTheModels()
    {
        float[] z = [0.5f, -0.75f];
        var three = await ServeApiTests.Json(await Post("""{"z": [0.5, -0.75], "class": 3}"""), HttpStatusCode.OK);
        var eight = await ServeApiTests.Json(await Post("""{"z": [0.5, -0.75], "class": 8}"""), HttpStatusCode.OK);
        Assert.Equal(3, three.GetProperty("class").GetInt32());
        // Same weights, same backend kind, same batch of one: the same floats, bit for bit.
        Assert.Equal(fixture.Decode(z, 3), Floats(three, "pixels"));
        Assert.Equal(fixture.Decode(z, 8), Floats(eight, "pixels"));
        int changed = Floats(three, "pixels").Zip(Floats(eight, "pixels")).Count(p => Math.Abs(p.First - p.Second) > 0.1);
        Assert.True(changed >= MinChangedPixels, $"z decoded as 3 and as 8 differ by more than 0.1 in {changed} pixels, fewer than {MinChangedPixels}");
    }

    [Theory]
    [InlineData("""{"z": [0, 0]}""", "\"class\" is missing: model dim2 is a cvae; send \"class\": 0 to 9")]
    [InlineData("""{"z": [0, 0], "class": 10}""", "\"class\" = 10 is outside 0 to 9: model dim2 has 10 classes")]
    [InlineData("""{"z": [0, 0], "class": -1}""", "\"class\" = -1 is outside 0 to 9")]
    [InlineData("""{"z": [0, 0], "class": 2.5}""", "\"class\" must be an integer 0 to 9, got 2.5")]
    [InlineData("""{"z": [0, 0], "class": 1e10}""", "\"class\" must be an integer 0 to 9, got 1e10")]
    [InlineData("""{"z": [0, 0], "class": "3"}""", "\"class\" must be an integer 0 to 9, got the string \"3\"")]
    [InlineData("""{"z": [0, 0], "class": null}""", "\"class\" must be an integer 0 to 9, got null")]
    [InlineData("""{"z": [0, 0], "label": 3}""", "unknown field \"label\"")]
    public async Task AMissingOrBadClassIs400NamingIt(string body, string reason)
    {
        var answer = await ServeApiTests.Json(await Post(body), HttpStatusCode.BadRequest);
        Assert.Contains(reason, answer.GetProperty("error").GetString(), StringComparison.Ordinal);
        await ServeApiTests.Json(await Post("""{"z": [0, 0], "class": 0}"""), HttpStatusCode.OK);
    }

    [Fact]
    public async Task AnImageIsEncodedAndReconstructedGivenItsTrueLabel()
    {
        const int index = 7;
        var answer = await ServeApiTests.Json(await fixture.Http.GetAsync(new Uri($"api/models/dim2/images/{index}", UriKind.Relative), Cancel), HttpStatusCode.OK);
        var test = RealMnist.Load().Test;
        int label = test.Labels![index];
        var (mu, sigma) = fixture.Reference.EncodePosteriors(test.Images.AsSpan(index * 784, 784), LabelOneHots.Of([(byte)label], CvaeExplorerFixture.Classes));
        Assert.Equal(label, answer.GetProperty("label").GetInt32());
        Assert.Equal(mu, Floats(answer, "mu"));
        Assert.Equal(sigma, Floats(answer, "sigma"));
        Assert.Equal(fixture.Decode(mu, label), Floats(answer, "reconstruction"));
    }

    [Fact]
    public async Task TheSelectorOffersEveryClassAndRedrawsTheDecodedZAsThePickedOne()
    {
        await using var page = await ServeBrowserTests.Open(chromium.Browser, fixture.Url);
        Assert.False(await page.EvaluateExpressionAsync<bool>("document.getElementById('class-choice').hidden"));
        Assert.Equal(
            Enumerable.Range(0, CvaeExplorerFixture.Classes).Select(c => $"{c}"),
            await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('#class option')].map(o => o.value)"));

        var before = await page.EvaluateExpressionAsync<JsonElement>("explorer.shown()");
        Assert.Equal(0, before.GetProperty("class").GetInt32());
        await page.SelectAsync("#class", "8");
        await page.EvaluateExpressionAsync("explorer.idle()");
        var after = await page.EvaluateExpressionAsync<JsonElement>("explorer.shown()");
        Assert.Equal(8, after.GetProperty("class").GetInt32());
        float[] z = Floats(after, "z");
        Assert.Equal(Floats(before, "z"), z);
        var expected = fixture.Decode(z, 8);
        var shown = await ServeBrowserTests.Canvas(page, "decoded");
        ServeBrowserTests.AssertShows(expected, shown, "the decoded canvas after picking class 8");
        int changed = fixture.Decode(z, 0).Zip(shown).Count(p => Math.Abs(p.First - p.Second) > 0.1);
        Assert.True(changed >= MinChangedPixels, $"picking class 8 changed {changed} pixels of the decoded canvas by more than 0.1");
        Assert.Contains("as class 8", await page.EvaluateExpressionAsync<string>("document.getElementById('decoded-class').textContent"), StringComparison.Ordinal);
        Assert.Equal("", await page.EvaluateExpressionAsync<string>("document.getElementById('status').classList.contains('error') ? document.getElementById('status').textContent : ''"));
        await page.ScreenshotAsync(Path.Combine(Directory.CreateDirectory(Path.Combine(Results, "serve")).FullName, "cvae-dim2-class8.png"));
    }

    [Fact]
    public async Task PickingAClassRedecodesTheTraversalAndTheSamplesOfAZ3Cvae()
    {
        // An untrained Z = 3 cvae is enough to check that the slider view's decodes take the class.
        var config = new VaeConfig(Latent: 3, Hidden: 32) { Kind = ModelKind.Cvae, Classes = CvaeExplorerFixture.Classes };
        using var serverBackend = new HostBackend();
        using var referenceBackend = new HostBackend();
        var model = new Vae(serverBackend, config);
        model.Initialize(seed: 3);
        using var served = new ExplorerModel("dim3", model, RealMnist.Load().Test, images: 20);
        using var reference = new Vae(referenceBackend, config);
        reference.Initialize(seed: 3);
        using var inference = new VaeInference(reference, seed: 0);
        var server = await ExplorerServer.StartAsync([served], IPAddress.Loopback, 0);
        await using (server)
        {
            await using var page = await ServeBrowserTests.Open(chromium.Browser, server.Url);
            Assert.Equal(CvaeExplorerFixture.Classes, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#class option').length"));
            await page.SelectAsync("#class", "6");
            await page.WaitForFunctionAsync("() => window.explorer.ready", new WaitForFunctionOptions { Timeout = 30_000 });
            var shown = await page.EvaluateExpressionAsync<JsonElement>("explorer.shown()");
            Assert.Equal(6, shown.GetProperty("class").GetInt32());
            var six = LabelOneHots.Repeat(6, 1, CvaeExplorerFixture.Classes);
            ServeBrowserTests.AssertShows(inference.Decode(Floats(shown, "z"), six), await ServeBrowserTests.Canvas(page, "traverse-decoded"), "the traversal as class 6");
            float[] sample = (await page.EvaluateExpressionAsync<float[][]>("explorer.samples()"))[0];
            await page.EvaluateExpressionAsync("document.querySelector('#samples canvas').id = 'first-sample'");
            ServeBrowserTests.AssertShows(inference.Decode(sample, six), await ServeBrowserTests.Canvas(page, "first-sample"), "the first prior sample as class 6");
            Assert.Equal("decoded z as class 6", await page.EvaluateExpressionAsync<string>("document.getElementById('traverse-decoded-caption').textContent"));
            await server.StopAsync();
        }
    }

    private async Task<HttpResponseMessage> Post(string body) =>
        await fixture.Http.PostAsync(new Uri("api/decode", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), Cancel);

    private static float[] Floats(JsonElement element, string name) =>
        element.GetProperty(name).EnumerateArray().Select(p => (float)p.GetDouble()).ToArray();
}
