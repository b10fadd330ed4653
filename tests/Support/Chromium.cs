using PuppeteerSharp;
using Xunit;

namespace GpuVae.Tests.Support;

/// <summary>
/// Debian's chromium, headless, for the browser tests; they skip with the reason where it is not
/// installed (`apt-get install chromium`; .ci/run does that). Playwright's and Puppeteer's own
/// browser downloads cannot reach their servers from our machines, so nothing is downloaded.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IBrowser? browser;

    public static bool Installed => File.Exists(ExecutablePath);

    /// <summary>The browser, or a skip naming why there is none.</summary>
    public IBrowser Browser
    {
        get
        {
            Assert.SkipUnless(Installed, $"no Chromium at {ExecutablePath}: apt-get install chromium to run the browser tests");
            return browser!;
        }
    }

    public async ValueTask InitializeAsync()
    {
        if (Installed)
        {
            // --no-sandbox: the tests run as root, where Chromium's sandbox refuses to start.
            browser = await Puppeteer.LaunchAsync(new LaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"],
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.CloseAsync();
            await browser.DisposeAsync();
        }
    }
}
