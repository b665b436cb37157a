using Ledger.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.IntegrationTests;

/// <summary>The real ledger host on Kestrel, on a free loopback port, against a real PostgreSQL.</summary>
public sealed class RunningLedger : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningLedger(WebApplication app, Uri address)
    {
        _app = app;
        Http = new HttpClient { BaseAddress = address };
    }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<RunningLedger> StartAsync(string postgresConnectionString)
    {
        var app = LedgerApi.Build(["--urls", "http://127.0.0.1:0"], builder =>
            builder.Configuration[LedgerSettings.PostgresVariable] = postgresConnectionString);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new RunningLedger(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
