using Ledger.Application.Reactions;
using System.Net;
using System.Net.Sockets;
using Ledger.Api;
using Microsoft.AspNetCore.Builder;
using Ledger.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.IntegrationTests;

/// <summary>
/// The real ledger host on Kestrel, on a free loopback port, against a real PostgreSQL; in EventStoreDB mode when the run
/// has a server (<see cref="TestEventStore"/>) unless the settings name the event store themselves.
/// </summary>
public sealed class RunningLedger : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningLedger(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Http = new HttpClient { BaseAddress = address };
    }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="settings">Extra configuration (API clients, billing URL, …) as key/value pairs.</param>
    /// <param name="services">Registrations made before the host's own (e.g. a fake clock).</param>
    public static async Task<RunningLedger> StartAsync(
        string postgresConnectionString, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        // A port chosen up front, so that the ledger knows its own URL (billing calls back to it).
        var address = new Uri($"http://127.0.0.1:{FreePort()}/");
        var app = LedgerApi.Build(["--urls", address.ToString().TrimEnd('/')], builder =>
        {
            builder.Configuration[LedgerSettings.PostgresVariable] = postgresConnectionString;
            builder.Configuration["Ledger:PublicUrl"] = address.ToString();
            if (TestEventStore.For(postgresConnectionString) is { } eventStore) builder.Configuration[LedgerSettings.EventStoreVariable] = eventStore;
            if (settings is not null)
                foreach (var (key, value) in settings) builder.Configuration[key] = value;
            services?.Invoke(builder.Services);
        });
        await app.StartAsync();
        return new RunningLedger(app, address);
    }

    public HttpClient ClientWithKey(string apiKey)
    {
        var http = new HttpClient { BaseAddress = Address };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        return http;
    }

    /// <summary>Waits (up to 60 s, checking every 20 ms) until the reaction processor has caught up with the log; fails the test otherwise.</summary>
    public async Task ReactionsSettledAsync()
    {
        var processor = Services.GetRequiredService<ReactionProcessor>();
        var until = DateTime.UtcNow.AddSeconds(60);
        while (!await processor.IsCaughtUpAsync(CancellationToken.None))
        {
            if (DateTime.UtcNow > until) throw new Xunit.Sdk.XunitException($"Reactions did not catch up with the log within 60 s (at position {processor.Position}).");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// In EventStoreDB mode, waits (up to 60 s) until the replicator has copied every event so far into PostgreSQL, where the
    /// projections read; at once in PostgreSQL mode. Marten's own wait for projections sees only what has been copied.
    /// </summary>
    public async Task ReplicatedAsync()
    {
        if (Services.GetService<Ledger.EventStore.Replication.EventReplicator>() is not { } replicator) return;
        var until = DateTime.UtcNow.AddSeconds(60);
        while (await replicator.EventsBehindAsync(1, CancellationToken.None) > 0)
        {
            if (DateTime.UtcNow > until) throw new Xunit.Sdk.XunitException("The replicator did not copy EventStoreDB's events into PostgreSQL within 60 s.");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Every event of the system of record in global order, read through the port page by page: PostgreSQL's table, or
    /// this ledger's streams in EventStoreDB (where PostgreSQL holds a copy that may trail).
    /// </summary>
    public async Task<List<Ledger.EventStore.RecordedEvent>> AllEventsAsync()
    {
        var store = Services.GetRequiredService<Ledger.EventStore.IEventStore>();
        var events = new List<Ledger.EventStore.RecordedEvent>();
        var position = Ledger.EventStore.GlobalPosition.Start;
        while (true)
        {
            var before = events.Count;
            await foreach (var e in store.ReadAllAsync(position, 1000)) events.Add(e);
            if (events.Count == before) return events;
            position = events[^1].Position;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
