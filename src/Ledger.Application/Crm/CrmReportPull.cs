using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Application.Commands;
using Ledger.Domain.Reconciliation;
using Ledger.EventStore.Writing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;
using Npgsql;
using Ledger.Domain.Common;

namespace Ledger.Application.Crm;

/// <summary>What a CRM shows of one contract: every change it holds, by the version it made (ADR/0021).</summary>
public sealed record ContractStateReport(string ContractId, IReadOnlyList<CrmContractChange>? Changes, Instant ObservedAt);

/// <summary>
/// A CRM's contract states, as it posts them to <c>/crm/{crm}/reports/contract-states</c> and as it answers the ledger's
/// pull (<see cref="CrmReportPull"/>): one document for both directions.
/// </summary>
public sealed record ContractStateReportBatch(IReadOnlyList<ContractStateReport>? Reports);

/// <summary>A CRM the ledger asks for its contract states: its name, the address that answers, an optional bearer token.</summary>
public sealed record CrmReportSource(string Crm, Uri Url, string? Token);

/// <summary>
/// <c>Ledger:CrmReportPull:Sources:{crm}:Url</c> (and <c>:Token</c>), <c>IntervalSeconds</c> (default 300) and
/// <c>RequestTimeoutSeconds</c> (default 30) (ADR/0021).
/// </summary>
public sealed record CrmReportPullSettings(IReadOnlyList<CrmReportSource> Sources, TimeSpan Interval, TimeSpan RequestTimeout)
{
    public const string HttpClientName = "crm-reports";
}

/// <summary>What one pull of one CRM did: the reports recorded, repeated (nothing new), refused; or why nothing was read.</summary>
public sealed record CrmReportPullOutcome(string Crm, int Appended, int Unchanged, int Refused, string? Failure = null);

/// <summary>
/// The ledger asks each configured CRM for its contract states on a schedule (ADR/0021) and records them as if the CRM
/// had posted them: the same command on the same reported-fact stream, the CRM as source system and the ledger as actor,
/// so QTC-14 compares a CRM that never calls out too. One node pulls (an advisory lock, as the CRM push). Each report is
/// its own command: a refused one (logged with its code) does not keep the others out, unlike a posted batch, whose
/// caller gets the refusal back; a report the ledger already holds records nothing.
/// </summary>
public sealed class CrmReportPull(
    CrmReportPullSettings settings, IHttpClientFactory httpClients, CommandRunner commands, NpgsqlDataSource db, ILogger<CrmReportPull> log)
    : BackgroundService
{
    /// <summary>The advisory lock the pulling node holds: "ledger-p" in ASCII.</summary>
    private const long LeaderLock = 0x6c65646765722d70;

    private static readonly JsonSerializerOptions Json = JsonOptions();

    protected override Task ExecuteAsync(CancellationToken stopping) =>
        Leadership.RunWhileLeaderAsync(db, LeaderLock, PullOnScheduleAsync, log, "CRM report pull stopped; it starts again with the next pull.", stopping);

    private async Task PullOnScheduleAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(settings.Interval);
        do
        {
            foreach (var source in settings.Sources)
                await PullAsync(source, stopping);
        }
        while (await timer.WaitForNextTickAsync(stopping));
    }

    /// <summary>Fetches one CRM's contract states and records each. A CRM that fails or answers nonsense is logged and asked again next time.</summary>
    public async Task<CrmReportPullOutcome> PullAsync(CrmReportSource source, CancellationToken ct)
    {
        ContractStateReportBatch? batch;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(settings.RequestTimeout);
            using var request = new HttpRequestMessage(HttpMethod.Get, source.Url);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (!string.IsNullOrEmpty(source.Token)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", source.Token);
            using var response = await httpClients.CreateClient(CrmReportPullSettings.HttpClientName).SendAsync(request, timeout.Token);
            if (!response.IsSuccessStatusCode) return Failed(source, $"answered {(int)response.StatusCode}");
            batch = await response.Content.ReadFromJsonAsync<ContractStateReportBatch>(Json, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Failed(source, $"no answer within {settings.RequestTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or NotSupportedException)
        {
            return Failed(source, e is JsonException ? "answered a body that is not contract states" : e.Message);
        }

        var (appended, unchanged, refused) = (0, 0, 0);
        foreach (var report in batch?.Reports ?? [])
        {
            if (report is null) { refused++; continue; }
            // Keyed by what was observed: the same observation pulled again derives the same events and finds them stored.
            var key = $"crm-report-pull:{source.Crm}:{report.ContractId}:{report.ObservedAt}";
            var metadata = new CommandMetadata(CommandMetadata.CommandIdFor("ledger", key), key, "ledger", source.Crm, key);
            // Acknowledged: the report comes from the CRM, not from the log, so nothing here would redo a lost commit.
            var result = await commands.RunAsync(metadata, unit => unit.Decide(Streams.CrmContractReport(source.Crm, new ContractId(report.ContractId ?? "")),
                _ => new ReportCrmContractState(source.Crm, new ContractId(report.ContractId!), report.Changes, report.ObservedAt), ct), Durability.Acknowledged, ct);
            switch (result)
            {
                case CommandResult.Appended: appended++; break;
                case CommandResult.Unchanged: unchanged++; break;
                case CommandResult.Refused r:
                    refused++;
                    log.LogWarning("{Crm}'s contract state of {ContractId} was refused: {Code} ({Field}) {Detail}", source.Crm, report.ContractId,
                        r.Refusal.Code, r.Refusal.Field, r.Refusal.Message);
                    break;
                default:
                    refused++;
                    log.LogWarning("{Crm}'s contract state of {ContractId} was not recorded ({Result}); the next pull tries again.", source.Crm, report.ContractId,
                        result.GetType().Name);
                    break;
            }
        }
        log.LogInformation("Pulled {Crm}'s contract states: {Appended} recorded, {Unchanged} unchanged, {Refused} refused.", source.Crm, appended, unchanged, refused);
        return new CrmReportPullOutcome(source.Crm, appended, unchanged, refused);
    }

    private CrmReportPullOutcome Failed(CrmReportSource source, string why)
    {
        log.LogWarning("Pulling {Crm}'s contract states from {Url} failed: {Why}; the next pull tries again.", source.Crm, source.Url, why);
        return new CrmReportPullOutcome(source.Crm, 0, 0, 0, why);
    }

    private static JsonSerializerOptions JsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web).ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);
        options.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
        return options;
    }
}
