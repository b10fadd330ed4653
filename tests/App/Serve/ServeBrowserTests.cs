using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using GpuVae.App.Serve;
using GpuVae.Kernels.Host;
using GpuVae.Model.Evaluation;
using GpuVae.Model.Network;
using GpuVae.Tests.Support;
using PuppeteerSharp;
using Xunit;

namespace GpuVae.Tests.App.Serve;

/// <summary>
/// The explorer page in a real browser (headless Chromium through PuppeteerSharp): what the
/// canvases show is read back pixel by pixel and compared with decodes the test computes
/// through the Model API on weights of its own. Writes TestResults/serve-latency.json (the
/// decode latency seen by the page while the marker is dragged) and screenshots to
/// TestResults/serve/.
/// </summary>
[Collection(nameof(ExplorerCollection))]
public sealed class ServeBrowserTests(ExplorerFixture fixture, Chromium chromium) : IClassFixture<Chromium>
{
    /// <summary>
    /// A canvas holds round(255 p) for a decoded probability p, so it is within half a grey
    /// level of p; the 1e-6 covers JavaScript's double arithmetic on a float. The server's
    /// decode and the test's are the same floats (same weights, host backend, batch of one).
    /// </summary>
    internal const double PixelTolerance = (0.5 / 255) + 1e-6;

    /// <summary>The issue's floor: a drag must feel live.</summary>
    private const double MinDecodesPerSecond = 30;

    /// <summary>Below this the browser itself is starved of CPU, and the rate measures the machine.</summary>
    private const double MinFramesPerSecond = 45;

    private static readonly TimeSpan DragTime = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan MouseDragTime = TimeSpan.FromSeconds(1);

    private static string Results => Path.Combine(RepositoryPaths.Root, "TestResults");

    [Fact]
    public async Task DraggingTheMarkerDecodesLiveWhatTheModelDecodes()
    {
        await using var page = await Open(fixture.Url);
        var before = await Canvas(page, "decoded");
        var start = await ClientPoint(page, "explorer.marker()");
        var center = await ClientPoint(page, "[0, 0]");
        var rim = await ClientPoint(page, "[2, 0]");
        double radius = rim.X - center.X;
        await page.Mouse.MoveAsync((decimal)start.X, (decimal)start.Y);
        await page.Mouse.DownAsync();
        await page.EvaluateExpressionAsync("explorer.resetLatency()");
        var clock = Stopwatch.StartNew();
        int moves = 0;
        while (clock.Elapsed < MouseDragTime)
        {
            // A circle of radius 2 in z, a few degrees a move, as a hand drags.
            double angle = moves++ * 0.05;
            await page.Mouse.MoveAsync((decimal)(center.X + (radius * Math.Cos(angle))), (decimal)(center.Y - (radius * Math.Sin(angle))));
        }

        var end = (X: center.X + (0.6 * radius), Y: center.Y - (0.9 * radius));
        await page.Mouse.MoveAsync((decimal)end.X, (decimal)end.Y);
        await page.Mouse.UpAsync();
        await page.EvaluateExpressionAsync("explorer.idle()");

        var shown = await page.EvaluateExpressionAsync<JsonElement>("explorer.shown()");
        float[] z = Floats(shown.GetProperty("z"));
        Assert.Equal(Floats(await page.EvaluateExpressionAsync<JsonElement>("explorer.marker()")), z);
        var at = await ClientPoint(page, $"[{z[0].ToString("R", CultureInfo.InvariantCulture)}, {z[1].ToString("R", CultureInfo.InvariantCulture)}]");
        Assert.True(Math.Abs(at.X - end.X) < 1 && Math.Abs(at.Y - end.Y) < 1, $"the marker's z maps to ({at.X}, {at.Y}), the drag ended at {end}");

        var expected = fixture.Reference.Decode(z);
        Assert.Equal(expected, Floats(shown.GetProperty("pixels")));
        var after = await Canvas(page, "decoded");
        AssertShows(expected, after, "the decoded canvas after the drag");
        Assert.True(before.Zip(after).Count(p => Math.Abs(p.First - p.Second) > 0.2) > 20, "the shown image did not change with z");

        await page.ScreenshotAsync(Path.Combine(Directory.CreateDirectory(Path.Combine(Results, "serve")).FullName, "dim2-drag.png"));
    }

    /// <summary>
    /// The issue's floor of 30 decodes a second while dragging, and the latency the page sees,
    /// written to TestResults/serve-latency.json. Each CDP mouse move is a round trip to the
    /// test process (about 25 a second on the busy 2-core VM), too slow to stand for a hand; a
    /// mouse delivers at most one pointermove per frame, so here the page gets one per
    /// animation frame, through its own handlers, and decodes through the real server.
    /// </summary>
    [Fact]
    public async Task ADragDecodesAtLeast30TimesASecond()
    {
        await using var page = await Open(fixture.Url);
        var drag = await page.EvaluateFunctionAsync<JsonElement>(
            """
            async seconds => {
              const canvas = document.getElementById('plane');
              const rect = canvas.getBoundingClientRect();
              const cx = rect.left + rect.width / 2, cy = rect.top + rect.height / 2, r = rect.width / 4;
              const fire = (type, x, y) => canvas.dispatchEvent(new PointerEvent(type,
                { clientX: x, clientY: y, pointerId: 1, pointerType: 'mouse', isPrimary: true, buttons: 1, bubbles: true }));
              const marker = explorer.clientPoint(explorer.marker());
              fire('pointerdown', marker.x, marker.y);
              explorer.resetLatency();
              const start = performance.now();
              let frames = 0;
              await new Promise(resolve => {
                const frame = now => {
                  const t = (now - start) / 1000;
                  if (t >= seconds) return resolve();
                  frames++;
                  fire('pointermove', cx + r * Math.cos(2 * t), cy - r * Math.sin(2 * t));
                  requestAnimationFrame(frame);
                };
                requestAnimationFrame(frame);
              });
              fire('pointerup', cx, cy);
              await explorer.idle();
              return { frames, seconds: (performance.now() - start) / 1000, ...explorer.latency() };
            }
            """,
            DragTime.TotalSeconds);
        int count = drag.GetProperty("count").GetInt32(), frames = drag.GetProperty("frames").GetInt32();
        double seconds = drag.GetProperty("seconds").GetDouble();
        double median = drag.GetProperty("median").GetDouble(), p99 = drag.GetProperty("p99").GetDouble();
        double rate = count / seconds;
        Directory.CreateDirectory(Results);
        File.WriteAllText(Path.Combine(Results, "serve-latency.json"), JsonSerializer.Serialize(new
        {
            what = "POST /api/decode round trips from the page, request to pixels on the canvas, while the marker is dragged one pointermove per animation frame",
            model = "save/dim2, host backend, headless Chromium on the same machine",
            machine = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
            decodes = count,
            pointer_moves = frames,
            drag_seconds = Math.Round(seconds, 2),
            decodes_per_second = Math.Round(rate, 1),
            median_ms = Math.Round(median, 2),
            p99_ms = Math.Round(p99, 2),
            frames_per_second = Math.Round(frames / seconds, 1),
            load_average = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown",
        }));
        // A page that is not even given 45 animation frames a second is on a machine too busy
        // to say anything about the decoder (other builds: see load_average in the file).
        Assert.SkipWhen(frames / seconds < MinFramesPerSecond, $"the browser ran {frames / seconds:F1} animation frames a second (< {MinFramesPerSecond}): too busy to measure; {count} decodes in {seconds:F2} s, median {median:F1} ms, p99 {p99:F1} ms");
        Assert.True(rate >= MinDecodesPerSecond, $"{count} decodes in {seconds:F2} s = {rate:F1}/s while dragging ({frames} pointer moves), below {MinDecodesPerSecond}/s (median {median:F1} ms, p99 {p99:F1} ms)");
    }

    [Fact]
    public async Task ClickingAPointShowsItsImageReconstructionAndPosterior()
    {
        await using var page = await Open(fixture.Url);
        var test = RealMnist.Load().Test;
        // A point far from the marker at z = 0, so the click selects rather than grabs the marker.
        var (mu, _) = fixture.Reference.EncodePosteriors(test.Images.AsSpan(0, 200 * 784));
        int target = Enumerable.Range(0, 200).First(i => Math.Abs(mu[2 * i]) + Math.Abs(mu[(2 * i) + 1]) > 1.5);
        var point = await ClientPoint(page, $"explorer.code({target})");
        await page.Mouse.ClickAsync((decimal)point.X, (decimal)point.Y);
        await page.WaitForFunctionAsync("() => explorer.selected() !== null");
        await page.EvaluateExpressionAsync("explorer.idle()");

        // The nearest point to the click is selected: the target or one drawn on top of it. Both
        // are placed at the same moment, after the selection panel appeared: the panel may move
        // the plane on the page (a scroll bar), which moves every point alike.
        var selected = await page.EvaluateExpressionAsync<JsonElement>("explorer.selected()");
        int index = selected.GetProperty("index").GetInt32();
        double apart = await page.EvaluateExpressionAsync<double>(
            $"(() => {{ const a = explorer.clientPoint(explorer.code({index})), b = explorer.clientPoint(explorer.code({target})); return Math.hypot(a.x - b.x, a.y - b.y); }})()");
        Assert.True(apart <= 7, $"clicked image {target}, selected {index}, which lies {apart:F1} px from it");

        var image = test.Images.AsSpan(index * 784, 784).ToArray();
        var (posteriorMu, posteriorSigma) = fixture.Reference.EncodePosteriors(image);
        var reconstruction = fixture.Reference.Decode(posteriorMu);
        Assert.Equal(posteriorMu, Floats(selected.GetProperty("mu")));
        Assert.Equal(posteriorSigma, Floats(selected.GetProperty("sigma")));
        AssertShows(image, await Canvas(page, "original"), $"test image {index}");
        AssertShows(reconstruction, await Canvas(page, "reconstruction"), $"the reconstruction of test image {index}");
        // The marker moves to the posterior mean, so the decoded canvas shows the reconstruction too.
        AssertShows(reconstruction, await Canvas(page, "decoded"), "the decoded canvas at the posterior mean");
        Assert.Contains($"label {test.Labels![index]}", await page.EvaluateExpressionAsync<string>("document.getElementById('selection-index').textContent"), StringComparison.Ordinal);
        await page.ScreenshotAsync(Path.Combine(Directory.CreateDirectory(Path.Combine(Results, "serve")).FullName, "dim2-selected.png"));
    }

    [Fact]
    public async Task APlainVaeHasNoClassSelector()
    {
        await using var page = await Open(fixture.Url);
        Assert.True(await page.EvaluateExpressionAsync<bool>("document.getElementById('class-choice').hidden"));
        Assert.Equal(0, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#class option').length"));
        Assert.Equal(JsonValueKind.Null, (await page.EvaluateExpressionAsync<JsonElement>("explorer.shown()")).GetProperty("class").ValueKind);
    }

    [Fact]
    public async Task ASliderMovesOneLatentDimensionOfAZ5Model()
    {
        // An untrained Z = 5 model is enough to check the page's sliders against the decoder.
        var config = new VaeConfig(Latent: 5, Hidden: 64);
        using var serverBackend = new HostBackend();
        using var referenceBackend = new HostBackend();
        var model = new Vae(serverBackend, config);
        model.Initialize(seed: 5);
        using var served = new ExplorerModel("dim5", model, RealMnist.Load().Test, images: 20);
        using var reference = new Vae(referenceBackend, config);
        reference.Initialize(seed: 5);
        using var inference = new VaeInference(reference, seed: 0);
        var server = await ExplorerServer.StartAsync([served], IPAddress.Loopback, 0);
        await using (server)
        {
            await using var page = await Open(server.Url);
            Assert.True(await page.EvaluateExpressionAsync<bool>("document.getElementById('plane-view').hidden"));
            Assert.Equal(5, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#sliders input').length"));
            await page.EvaluateExpressionAsync(
                "(() => { const s = document.querySelectorAll('#sliders input')[2]; s.value = Number(s.value) + 1.5; s.dispatchEvent(new Event('input')); })()");
            await page.EvaluateExpressionAsync("explorer.idle()");
            float[] z = Floats((await page.EvaluateExpressionAsync<JsonElement>("explorer.shown()")).GetProperty("z"));
            var (mu, _) = inference.EncodePosteriors(RealMnist.Load().Test.Images.AsSpan(0, 784));
            for (int k = 0; k < 5; k++)
            {
                // Sliders snap to steps of 0.01 from mu - 3.
                Assert.True(Math.Abs(z[k] - mu[k] - (k == 2 ? 1.5 : 0)) < 0.006, $"z[{k}] = {z[k]}, image 0's mu[{k}] = {mu[k]}");
            }

            AssertShows(inference.Decode(z), await Canvas(page, "traverse-decoded"), "the traversal's decoded canvas");
            Assert.Equal(12, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#interpolation canvas').length"));
            Assert.Equal(24, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#samples canvas').length"));
            await page.ScreenshotAsync(Path.Combine(Directory.CreateDirectory(Path.Combine(Results, "serve")).FullName, "dim5-untrained.png"), new ScreenshotOptions { FullPage = true });
            await server.StopAsync();
        }
    }

    /// <summary>A page of the explorer at url once it is ready, with no script error and no error on its status line.</summary>
    internal static async Task<IPage> Open(IBrowser browser, Uri url)
    {
        var page = await browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 980, Height = 800 });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e.Message);
        await page.GoToAsync(url.ToString());
        await page.WaitForFunctionAsync("() => window.explorer && window.explorer.ready", new WaitForFunctionOptions { Timeout = 30_000 });
        Assert.Empty(errors);
        Assert.Equal("", await page.EvaluateExpressionAsync<string>("document.getElementById('status').classList.contains('error') ? document.getElementById('status').textContent : ''"));
        return page;
    }

    private Task<IPage> Open(Uri url) => Open(chromium.Browser, url);

    /// <summary>The client position of a latent point (a JS expression for z) on the plane.</summary>
    private static async Task<(double X, double Y)> ClientPoint(IPage page, string z)
    {
        var point = await page.EvaluateExpressionAsync<JsonElement>($"explorer.clientPoint({z})");
        return (point.GetProperty("x").GetDouble(), point.GetProperty("y").GetDouble());
    }

    /// <summary>The 28 x 28 grey levels a digit canvas shows, in [0, 1], read at each image pixel's centre.</summary>
    internal static async Task<double[]> Canvas(IPage page, string id)
    {
        var levels = await page.EvaluateFunctionAsync<int[]>(
            """
            id => {
              const canvas = document.getElementById(id);
              const scale = canvas.width / 28;
              const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
              const levels = [];
              for (let r = 0; r < 28; r++)
                for (let c = 0; c < 28; c++)
                  levels.push(data[4 * (Math.floor((r + 0.5) * scale) * canvas.width + Math.floor((c + 0.5) * scale))]);
              return levels;
            }
            """,
            id);
        return levels.Select(v => v / 255.0).ToArray();
    }

    internal static void AssertShows(float[] expected, double[] shown, string what)
    {
        Assert.Equal(expected.Length, shown.Length);
        int worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (Math.Abs(shown[i] - expected[i]) > Math.Abs(shown[worst] - expected[worst]))
            {
                worst = i;
            }
        }

        double difference = Math.Abs(shown[worst] - expected[worst]);
        Assert.True(difference <= PixelTolerance, $"{what}: pixel {worst} shows {shown[worst]:F4}, the model decodes {expected[worst]:F4} (difference {difference:F4} > {PixelTolerance:F4})");
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
}
