using Ledger.Application;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ledger.Api;

/// <summary>
/// Traces (ADR/0025): the HTTP request, Wolverine's handling, the ledger's command, append and reaction spans, and every
/// outgoing HTTP call (billing, CRM webhooks), which carries the W3C <c>traceparent</c>. Spans are always made, so that
/// outgoing calls propagate the caller's trace; they leave the process only when an OTLP endpoint is configured:
/// <c>Ledger:Telemetry:OtlpEndpoint</c> (e.g. http://collector:4317) or the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>,
/// with <c>Ledger:Telemetry:OtlpProtocol</c> <c>grpc</c> (default) or <c>http</c>.
/// </summary>
public static class LedgerTelemetry
{
    public const string ServiceName = "ledger";

    public static void ConfigureTracing(TracerProviderBuilder tracing, IConfiguration configuration)
    {
        tracing
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .AddSource(LedgerTracing.SourceName, "Wolverine")
            // Health probes and scrapes would be most of the traces and say nothing.
            .AddAspNetCoreInstrumentation(o => o.Filter = http =>
                !http.Request.Path.StartsWithSegments("/health") && !http.Request.Path.StartsWithSegments("/metrics"))
            .AddHttpClientInstrumentation();
        var endpoint = configuration["Ledger:Telemetry:OtlpEndpoint"] is { Length: > 0 } configured ? configured
            : configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 } standard ? standard
            : null;
        if (endpoint is null) return;
        tracing.AddOtlpExporter(otlp =>
        {
            otlp.Endpoint = new Uri(endpoint);
            otlp.Protocol = configuration["Ledger:Telemetry:OtlpProtocol"] == "http" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        });
    }
}
