using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ledger.Application.Crm;

/// <summary>
/// Runs the CRM change recorder and the webhook dispatcher on one node at a time (a PostgreSQL advisory lock, as the reaction
/// processor does): two nodes pushing would break the order per quote. A failure restarts both from what is stored.
/// </summary>
public sealed class CrmPush(CrmChangeRecorder recorder, CrmWebhookDispatcher dispatcher, NpgsqlDataSource db, ILogger<CrmPush> log) : BackgroundService
{
    /// <summary>The advisory lock the pushing node holds: "ledger-c" in ASCII.</summary>
    private const long LeaderLock = 0x6c65646765722d63;

    protected override Task ExecuteAsync(CancellationToken stopping) =>
        Leadership.RunWhileLeaderAsync(db, LeaderLock, RunBothAsync, log, "CRM change push stopped; it starts again from its saved positions.", stopping);

    private async Task RunBothAsync(CancellationToken stopping)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var running = new[] { recorder.RunAsync(both.Token), dispatcher.RunAsync(both.Token) };
        // One ending (a failure) ends the other: both start again from what they stored.
        await Task.WhenAny(running);
        await both.CancelAsync();
        foreach (var task in running)
        {
            try
            {
                await task;
            }
            catch (OperationCanceledException) when (both.IsCancellationRequested && !stopping.IsCancellationRequested)
            {
            }
        }
    }
}
