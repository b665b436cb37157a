using Microsoft.Playwright;
using Xunit;

namespace Ledger.IntegrationTests.Console;

/// <summary>
/// Debian's chromium, driven by Playwright for .NET (ADR/0019). Playwright's own browsers are never downloaded: the tests launch
/// the system's chromium by its path (<c>LEDGER_CHROMIUM</c>, else <c>/usr/bin/chromium</c>) and fail, not skip, when it is absent.
/// </summary>
public sealed class ConsoleBrowser : IAsyncLifetime
{
    public const string DefaultChromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public static string ChromiumPath => Environment.GetEnvironmentVariable("LEDGER_CHROMIUM") is { Length: > 0 } path ? path : DefaultChromium;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException(
                $"The console's browser tests need Debian's chromium at {ChromiumPath} (apt-get install -y chromium; .ci/run installs it), " +
                "or LEDGER_CHROMIUM naming another chromium. Playwright's own browsers are not used.");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // A busy two-core machine: give the browser time to start.
            Timeout = 120_000,
        });
        Assertions.SetDefaultExpectTimeout(30_000);
    }

    /// <summary>A fresh browser context (its own cookies) on a laptop-sized screen.</summary>
    public async Task<IPage> NewPageAsync(Uri ledger)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = ledger.ToString(), ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
        });
        context.SetDefaultTimeout(60_000);
        context.SetDefaultNavigationTimeout(60_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
    }
}

public static class ConsolePages
{
    /// <summary>Signs in with an API key through the sign-in form and waits for the home page.</summary>
    public static async Task SignInAsync(this IPage page, string key)
    {
        await page.GotoAsync("/console/sign-in");
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("signed-in-as")).ToBeVisibleAsync();
    }

    /// <summary>Saves a full-page screenshot under the test output directory (screenshots/NAME.png) and returns its path.</summary>
    public static async Task<string> ScreenshotAsync(this IPage page, string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "screenshots", name + ".png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 0, $"The screenshot {path} is empty.");
        return path;
    }
}
