using JasperFx.CodeGeneration;
using Ledger.Api.Correlation;
using Ledger.Api.EventStore;
using Ledger.Application;
using Ledger.Application.Billing;
using Ledger.Application.Commands;
using Ledger.Application.Crm;
using Ledger.Application.Contracts;
using Ledger.Application.Reference;
using Ledger.Application.Reactions;
using Ledger.EventStore.Writing;
using Ledger.Application.Timelines;
using NodaTime.Serialization.SystemTextJson;
using System.Text.Json.Serialization;
using Ledger.EventStore;
using Ledger.EventStore.Marten;
using NodaTime;
using Ledger.Api.Health;
using Ledger.Api.OpenApi;
using Ledger.Api.Console;
using Ledger.Api.Idempotency;
using Ledger.Api.Problems;
using Ledger.Api.Security;
using JasperFx.Events.Daemon;
using Ledger.Api.Projections;
using Ledger.Projections;
using Ledger.Projections.Reconciliation;
using Ledger.Projections.Revenue;
using Marten;
using OpenTelemetry.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Authentication;
using Npgsql;
using Scalar.AspNetCore;
using Wolverine;
using Wolverine.ErrorHandling;
using Wolverine.Http;
using Wolverine.Marten;

namespace Ledger.Api;

/// <summary>Builds the ledger's web host: the one composition root, used by Program, <c>ledger serve</c> and the tests.</summary>
public static class LedgerApi
{
    /// <summary>Larger bodies are refused with 413 before any work is done.</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // No configuration reload: its file watcher wakes on every write below the content root (a local cluster's WAL, too).
        var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
        configure?.Invoke(builder);
        if (builder.Configuration.GetValue<bool>(StartupTimings.Setting)) StartupTimings.Enable();
        StartupTimings.Mark("configuration read (runtime start, JIT and assembly loads before it)");
        var settings = LedgerSettings.From(builder.Configuration);
        builder.Services.AddSingleton(settings);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes);

        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);

        var connectionString = PooledConnectionString(settings.PostgresConnectionString);
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        var registry = LedgerEventTypes.Registry();
        builder.Services.AddLedgerEventStore(settings, registry);
        // Tests may register a fake clock first.
        builder.Services.TryAddSingleton<IClock>(NodaTime.SystemClock.Instance);
        builder.Services.AddSingleton<CommandRunner>();
        builder.Services.AddSingleton<WolverineInbox>();
        builder.Services.AddSingleton<ReferenceData>();
        builder.Services.AddSingleton(services => new RelatedStreams(services.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddSingleton<QuoteTimeline>();
        AddAnchoring(builder);
        AddReactions(builder);
        AddCrmPush(builder);
        AddCrmReportPull(builder);
        builder.Services.AddSingleton(ReconciliationSlasFrom(builder.Configuration));
        builder.Services.AddSingleton<DiscrepancyQuery>();
        builder.Services.AddSingleton<RevenueSummary>();
        builder.Services.AddSingleton<Ledger.Projections.Approvals.ApprovalQueueQuery>();
        builder.Services.AddSingleton<ProjectionRebuilds>();
        builder.Services.AddSingleton<ProjectionLagMetrics>();
        builder.Services.AddHostedService<ProjectionLagSampler>();
        StartupTimings.Mark("event store, timeline, reactions, CRM push registered");
        builder.Services.AddOpenTelemetry().WithTracing(tracing => LedgerTelemetry.ConfigureTracing(tracing, builder.Configuration)).WithMetrics(metrics => metrics
            .AddMeter(ProjectionLagMetrics.MeterName, ReactionMetrics.MeterName, BillingMetrics.MeterName, CrmPushMetrics.MeterName, "Marten")
            // .NET's own meters: every request by route and status (rate, latency, errors), and every outgoing call by host
            // and status (the billing system's error rate).
            .AddMeter("Microsoft.AspNetCore.Hosting", "System.Net.Http")
            .AddPrometheusExporter());
        builder.Services.AddSingleton(BillingSettingsFrom(builder.Configuration));
        // Each call's own timeout is BillingSettings.RequestTimeout; this one only bounds the client.
        builder.Services.AddHttpClient(BillingClient.HttpClientName, http => http.Timeout = TimeSpan.FromMinutes(5));
        builder.Services.AddSingleton<BillingClient>();
        builder.Services.ConfigureSystemTextJsonForWolverineOrMinimalApi(json =>
        {
            json.SerializerOptions.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
        });
        StartupTimings.Mark("telemetry registered");
        builder.Services.AddMarten(options =>
            {
                LedgerMarten.ConfigureEventStore(options, new EventSerializer(registry));
                RelatedStreams.AddIndexes(options);
                // A start whose configured schema is the one last applied skips the whole check (one SELECT of a stamp instead of
                // catalog queries for every object: 0.6–1.7 s of a restart under load, issue 20). A changed configuration changes
                // the stamp and runs the full check; drift made by hand outside the ledger is not repaired on start (ADR/0025).
                options.Advanced.Migrator.UseSchemaFingerprinting = true;
                options.Storage.ExtendedSchemaObjects.Add(AnswerTable.Schema());
                options.Storage.ExtendedSchemaObjects.AddRange(ReactionStore.Schema());
                options.Storage.ExtendedSchemaObjects.AddRange(CrmChangeStore.Schema());
                options.Storage.ExtendedSchemaObjects.Add(CrmWebhookCursors.Schema());
                options.Schema.For<CrmWebhookSubscription>();
                LedgerProjections.Configure(options);
                // How the daemon learns of new events (ADR/0015, measured side by side by the commands benchmark): by polling
                // (the default: views up to a second behind, commands fastest), woken in memory by this node's own commits, or
                // woken by NOTIFY from every node; both wakes cut lag to tens of ms and cost command throughput.
                switch (ProjectionWakeSetting.Parse(builder.Configuration["Ledger:Projections:Wake"]))
                {
                    case ProjectionWake.InProcess:
                        options.Projections.Wakeup = new AppendWakeup(ProjectionWakeSetting.Gathering);
                        break;
                    case ProjectionWake.Notify:
                        options.Events.UseListenNotifyForEventAppends = true;
                        break;
                }
            })
            // Each projection runs on exactly one node, elected with a PostgreSQL advisory lock (ADR/0014). A node can be
            // kept out of the election (Ledger:Projections:RunDaemon=false): a write-only node, or a benchmark of the write path alone.
            .AddAsyncDaemon(builder.Configuration.GetValue("Ledger:Projections:RunDaemon", true) ? DaemonMode.HotCold : DaemonMode.Disabled)
            .UseNpgsqlDataSource()
            .ApplyAllDatabaseChangesOnStartup()
            .IntegrateWithWolverine();

        StartupTimings.Mark("Marten registered");
        builder.Host.UseWolverine(options =>
        {
            // Endpoints and handlers live here and in Ledger.Application, whichever program hosts them (the API, `ledger serve`, tests).
            options.ApplicationAssembly = typeof(LedgerApi).Assembly;
            // The handler and endpoint adapters are generated ahead of time into Internal/Generated (`./ledger codegen`) and
            // compiled in: a start loads them instead of running Roslyn, which took seconds of every restart's first requests
            // (ADR/0004). GeneratedCodeTests fails when the committed code is not what the handlers generate now.
            options.CodeGeneration.TypeLoadMode = TypeLoadMode.Static;
            options.Policies.AutoApplyTransactions();
            // Durable messages carry NodaTime instants (a timeout's due time).
            options.UseSystemTextJsonForSerialization(json => json.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb));
            options.Discovery.IncludeAssembly(typeof(BillingHandoffHandler).Assembly);
            // Reactions survive restarts: local queues are backed by PostgreSQL (the Wolverine tables in Marten's database).
            options.Policies.UseDurableLocalQueues();
            // Timeouts (billing, expiry) are scheduled messages: look for due ones every second.
            options.Durability.ScheduledJobFirstExecution = TimeSpan.FromSeconds(1);
            options.Durability.ScheduledJobPollingTime = TimeSpan.FromSeconds(1);
            // A node killed mid-message leaves envelopes it owned: find it dead and hand its work to the living within seconds, not
            // minutes. Every handler is idempotent (keys derived from the order, ADR/0017), so pushing a stale one again is safe.
            options.Durability.HealthCheckPollingTime = TimeSpan.FromSeconds(5);
            options.Durability.StaleNodeTimeout = TimeSpan.FromSeconds(20);
            options.Durability.NodeReassignmentPollingTime = TimeSpan.FromSeconds(5);
            options.Durability.InboxStaleTime = TimeSpan.FromSeconds(60);
        });
        StartupTimings.Mark("Wolverine configured");
        // After Wolverine's start, which creates its inbox: its handled marks stop waiting for the WAL flush (ADR/0027).
        builder.Services.AddHostedService<Ledger.Api.Messaging.HandledMarksCommitWithoutFlush>();
        // The reaction processor starts after Wolverine's runtime (hosted services start in registration order): a message it
        // published before Wolverine had found its handlers had no route, Wolverine keeps that answer for the life of the
        // process, and the message was dropped while the reaction's answer was stored (two billing handoffs lost in a crash
        // test once the adapters stopped being compiled at start, issue 20).
        if (builder.Configuration.GetValue("Ledger:Reactions:Run", true))
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ReactionProcessor>());
        builder.Services.AddWolverineHttp();

        builder.Services.AddSingleton<ApiClients>();
        builder.Services.AddSingleton<ApproverAuthorities>();
        // API keys, and JWT bearer tokens from a configured issuer beside them (ADR/0023): one selector picks per request.
        builder.Services.AddAuthentication(JwtTokens.SelectorName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null)
            .AddLedgerJwt(builder.Configuration)
            .AddConsoleCookie();
        builder.Services.AddAuthorization();
        // The web console at /console: Razor Pages in src/Ledger.Api/Console (ADR/0019).
        // Named as a part: the host's entry assembly may be another program (`ledger serve`, a test run), where MVC would not look.
        builder.Services.AddRazorPages(options => options.RootDirectory = "/Console").AddApplicationPart(typeof(LedgerApi).Assembly);

        // Registered before AddProblemDetails, so asked first whatever the client accepts: Wolverine's own 400 for a query value
        // that does not parse (RejectUnparseableQueryValues below) answered in the ledger's problem shape.
        builder.Services.AddSingleton<IProblemDetailsWriter, QueryValueProblems>();
        builder.Services.AddSingleton<IProblemDetailsWriter, BodyValueProblems>();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<DatabaseUnavailableHandler>();
        builder.Services.AddExceptionHandler<UnreadableEventHandler>();
        builder.Services.AddExceptionHandler<AppendTooLargeHandler>();
        StartupTimings.Mark("authentication and console registered");
        builder.Services.AddOpenApi(options => options.AddLedgerDescriptions());
        builder.Services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgres", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<ProjectionLagHealthCheck>("projections")
            .AddCheck<ReactionsHealthCheck>("reactions")
            .AddCheck<CrmWebhooksHealthCheck>("crm-webhooks")
            .AddCheck<QuarantineHealthCheck>("quarantine");
        if (settings.UsesEventStoreDb) builder.Services.AddHealthChecks().AddCheck<ReplicationHealthCheck>("replication");

        StartupTimings.Mark("services registered");
        StartupTimings.TimeHostedServices(builder.Services);
        var app = builder.Build();
        StartupTimings.Mark("host built");
        StartupTimings.TimeFirstRequests(app);
        // Approver authority is read now: a level or date that does not read stops the host, not every approval (ADR/0023).
        _ = app.Services.GetRequiredService<ApproverAuthorities>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestLimitProblems();
        app.UseCorrelationIds();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseNulCharacterProblems();
        app.UseIdempotencyKeys();

        app.MapOpenApi();
        app.MapScalarApiReference("/docs");
        app.MapLedgerHealth();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapRazorPages();
        // The console's pages are found and compiled into endpoints here, before the host listens, not on the first request:
        // done lazily it took seconds of a cold process's first request, whichever path it asked for (ADR/0019).
        _ = ((IEndpointRouteBuilder)app).DataSources.Last().Endpoints;
        StartupTimings.Mark("console pages compiled");
        app.MapWolverineEndpoints(options =>
        {
            options.RequireAuthorizeOnAll();
            // `?page=abc` is a 400 problem (code query.invalid, field page), not page 0: QueryValueProblems shapes it.
            options.RejectUnparseableQueryValues = true;
        });
        StartupTimings.Mark("Wolverine endpoints mapped");
        StartupTimings.LogWhenListening(app);
        return app;
    }

    /// <summary>
    /// The connection settings of every pool in the host (the ledger's, Marten's, Wolverine's). A pooled connection is not reset with <c>DISCARD ALL</c> when reused: that reset is a
    /// statement, so a transaction, of its own on every command, and it would drop the prepared statements (ADR/0016). Nothing the ledger does leaves session state
    /// behind on a pooled connection: no session advisory locks, temporary tables or settings.
    /// </summary>
    public static string PooledConnectionString(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString)
    {
        NoResetOnClose = true,
        // The same few statements run on every command: parse and plan them once per connection.
        MaxAutoPrepare = 32,
    }.ConnectionString;

    /// <summary><c>Reconciliation:SlaHours:QTC-01</c> (etc.) override a time rule's SLA; the catalogue's defaults apply otherwise.</summary>
    private static ReconciliationSlas ReconciliationSlasFrom(IConfiguration configuration) => new(
        configuration.GetSection("Reconciliation:SlaHours").GetChildren()
            .ToDictionary(c => c.Key, c => Duration.FromHours(double.Parse(c.Value ?? "", System.Globalization.CultureInfo.InvariantCulture))));

    /// <summary>
    /// <c>Billing:Url</c> (the billing system), <c>Billing:TimeoutSeconds</c> (its deadline to answer, default 600),
    /// <c>Billing:RetryDelaysSeconds</c> (waits between attempts while it is unavailable, default <c>1,5,30,120,600</c>),
    /// <c>Billing:RequestTimeoutSeconds</c> (one call, default 10) and <c>Ledger:PublicUrl</c> (where billing calls back).
    /// </summary>
    private static BillingSettings BillingSettingsFrom(IConfiguration configuration) => new(
        configuration["Billing:Url"] is { Length: > 0 } url ? new Uri(url.TrimEnd('/') + "/") : null,
        new Uri((configuration["Ledger:PublicUrl"] ?? "http://127.0.0.1:5080").TrimEnd('/') + "/"),
        Duration.FromSeconds(configuration.GetValue("Billing:TimeoutSeconds", 600)),
        (configuration["Billing:RetryDelaysSeconds"] ?? "1,5,30,120,600")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => TimeSpan.FromSeconds(double.Parse(s, System.Globalization.CultureInfo.InvariantCulture))).ToList(),
        TimeSpan.FromSeconds(configuration.GetValue("Billing:RequestTimeoutSeconds", 10.0)));

    /// <summary>
    /// The reactors and the processor that runs them over the log (ADR/0017). <c>Ledger:Reactions:Run=false</c> keeps a node
    /// out of the election; some node must run it, or nothing follows an event. <c>Ledger:Reactions:Lanes</c> (default 4)
    /// says how many reactions run at once; <c>Ledger:Reactions:GroupSize</c> (default 8) how many of a lane's queued events
    /// share one transaction (1: each its own).
    /// </summary>
    private static void AddReactions(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ReactionStore>();
        builder.Services.AddSingleton<ReactionMetrics>();
        builder.Services.AddSingleton<ReactionBacklog>();
        // Tests may register their own list first (a reactor that fails on purpose).
        builder.Services.AddSingleton(new ContractSettings(builder.Configuration.GetValue("Contracts:RenewalNoticeDays", ContractSettings.Default.RenewalNoticeDays)));
        builder.Services.TryAddSingleton(sp => Reactors.All(sp.GetRequiredService<BillingSettings>(), sp.GetRequiredService<ContractSettings>()));
        builder.Services.AddSingleton(new ReactionSettings(
            builder.Configuration.GetValue("Ledger:Reactions:Lanes", ReactionSettings.Default.Lanes),
            Math.Max(1, builder.Configuration.GetValue("Ledger:Reactions:GroupSize", ReactionSettings.Default.GroupSize))));
        builder.Services.AddSingleton<ReactionProcessor>();
    }

    /// <summary>Anchored chain heads (ADR/0025): on demand when configured, periodically when an interval is set too.</summary>
    private static void AddAnchoring(WebApplicationBuilder builder)
    {
        var anchors = Ledger.Api.Anchors.AnchorSettings.From(builder.Configuration);
        builder.Services.AddSingleton(anchors);
        builder.Services.AddSingleton<Ledger.Api.Anchors.ChainAnchoring>();
        if (anchors is { Configured: true, Interval: not null }) builder.Services.AddHostedService<Ledger.Api.Anchors.PeriodicAnchoring>();
    }

    /// <summary>
    /// The CRM change log and its webhooks (ADR/0020). <c>Ledger:CrmWebhooks:Run=false</c> keeps a node out of the election;
    /// <c>Ledger:CrmWebhooks:RetryDelaysSeconds</c> (default <c>5,30,120,600,1800,3600</c>), <c>RequestTimeoutSeconds</c> (default 10)
    /// and <c>PollMilliseconds</c> (default 250) tune the deliveries.
    /// </summary>
    private static void AddCrmPush(WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Ledger:CrmWebhooks");
        builder.Services.AddSingleton(new CrmWebhookSettings(
            (section["RetryDelaysSeconds"] ?? "5,30,120,600,1800,3600")
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => TimeSpan.FromSeconds(double.Parse(s, System.Globalization.CultureInfo.InvariantCulture))).ToList(),
            TimeSpan.FromSeconds(section.GetValue("RequestTimeoutSeconds", 10.0)),
            TimeSpan.FromMilliseconds(section.GetValue("PollMilliseconds", 250))));
        // Each call's own timeout is CrmWebhookSettings.RequestTimeout; this one only bounds the client.
        builder.Services.AddHttpClient(CrmWebhookSettings.HttpClientName, http => http.Timeout = TimeSpan.FromMinutes(5));
        builder.Services.AddSingleton<CrmChangeStore>();
        builder.Services.AddSingleton<CrmWebhookCursors>();
        builder.Services.AddSingleton<CrmChangeRecorder>();
        builder.Services.AddSingleton<CrmWebhookDispatcher>();
        builder.Services.AddSingleton<CrmPushMetrics>();
        if (section.GetValue("Run", true)) builder.Services.AddHostedService<CrmPush>();
    }

    /// <summary>
    /// CRMs the ledger asks for their contract states (ADR/0021): <c>Ledger:CrmReportPull:Sources:{crm}:Url</c> and optional
    /// <c>:Token</c>, every <c>IntervalSeconds</c> (default 300), each call bounded by <c>RequestTimeoutSeconds</c> (default 30).
    /// No source, no pull (and no election); <c>Run=false</c> keeps a node out.
    /// </summary>
    private static void AddCrmReportPull(WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Ledger:CrmReportPull");
        var sources = section.GetSection("Sources").GetChildren()
            .Select(crm => Uri.TryCreate(crm["Url"], UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
                ? new CrmReportSource(crm.Key, url, crm["Token"])
                : throw new InvalidOperationException($"Ledger:CrmReportPull:Sources:{crm.Key}:Url is not an http(s) address."))
            .ToList();
        var (interval, timeout) = (section.GetValue("IntervalSeconds", 300.0), section.GetValue("RequestTimeoutSeconds", 30.0));
        if (interval <= 0 || timeout <= 0)
            throw new InvalidOperationException("Ledger:CrmReportPull:IntervalSeconds and RequestTimeoutSeconds are more than 0.");
        builder.Services.AddSingleton(new CrmReportPullSettings(sources, TimeSpan.FromSeconds(interval), TimeSpan.FromSeconds(timeout)));
        builder.Services.AddHttpClient(CrmReportPullSettings.HttpClientName, http => http.Timeout = TimeSpan.FromMinutes(5));
        if (sources.Count > 0 && section.GetValue("Run", true)) builder.Services.AddHostedService<CrmReportPull>();
    }
}
