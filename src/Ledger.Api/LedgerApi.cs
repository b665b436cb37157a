using JasperFx.CodeGeneration;
using Ledger.Api.Health;
using Marten;
using Npgsql;
using Scalar.AspNetCore;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace Ledger.Api;

/// <summary>Builds the ledger's web host: the one composition root, used by Program, <c>ledger serve</c> and the tests.</summary>
public static class LedgerApi
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var settings = LedgerSettings.From(builder.Configuration);
        builder.Services.AddSingleton(settings);

        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);

        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(settings.PostgresConnectionString));
        builder.Services.AddMarten(options =>
            {
                options.Connection(settings.PostgresConnectionString);
                options.DatabaseSchemaName = "ledger";
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

        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgres", tags: [HealthEndpoints.ReadyTag]);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi();
        app.MapScalarApiReference("/docs");
        app.MapLedgerHealth();
        app.MapWolverineEndpoints();
        return app;
    }
}
