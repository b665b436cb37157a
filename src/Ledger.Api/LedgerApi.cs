using JasperFx.CodeGeneration;
using Ledger.Api.Correlation;
using Ledger.Api.EventStore;
using Ledger.Application;
using Ledger.Application.Commands;
using Ledger.EventStore;
using Ledger.EventStore.Marten;
using NodaTime;
using Ledger.Api.Health;
using Ledger.Api.Idempotency;
using Ledger.Api.Problems;
using Ledger.Api.Security;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Npgsql;
using Scalar.AspNetCore;
using Wolverine;
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
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var settings = LedgerSettings.From(builder.Configuration);
        builder.Services.AddSingleton(settings);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes);

        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);

        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(settings.PostgresConnectionString));
        var registry = LedgerEventTypes.Registry();
        builder.Services.AddLedgerEventStore(settings, registry);
        builder.Services.AddSingleton<IClock>(NodaTime.SystemClock.Instance);
        builder.Services.AddSingleton<CommandExecutor>();
        builder.Services.AddMarten(options =>
            {
                options.Connection(settings.PostgresConnectionString);
                LedgerMarten.ConfigureEventStore(options, new EventSerializer(registry));
                options.Storage.ExtendedSchemaObjects.Add(IdempotencyKeys.Schema());
            })
            .UseNpgsqlDataSource()
            .ApplyAllDatabaseChangesOnStartup()
            .IntegrateWithWolverine();

        builder.Host.UseWolverine(options =>
        {
            options.UseRuntimeCompilation();
            options.CodeGeneration.TypeLoadMode = TypeLoadMode.Dynamic;
            options.Policies.AutoApplyTransactions();
        });
        builder.Services.AddWolverineHttp();

        builder.Services.AddSingleton<ApiClients>();
        builder.Services.AddSingleton<IdempotencyKeys>();
        builder.Services.AddAuthentication(ApiKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        builder.Services.AddAuthorization();

        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgres", tags: [HealthEndpoints.ReadyTag]);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestLimitProblems();
        app.UseCorrelationIds();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseIdempotencyKeys();

        app.MapOpenApi();
        app.MapScalarApiReference("/docs");
        app.MapLedgerHealth();
        app.MapWolverineEndpoints(options => options.RequireAuthorizeOnAll());
        return app;
    }
}
