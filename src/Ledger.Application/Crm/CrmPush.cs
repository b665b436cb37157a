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

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var leader = await db.OpenConnectionAsync(stopping);
                await using (var tryLock = new NpgsqlCommand($"select pg_try_advisory_lock({LeaderLock})", leader))
                    if (!(bool)(await tryLock.ExecuteScalarAsync(stopping))!)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(2), stopping);
                        continue;
                    }
                try
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
                        catch (OperationCanceledException) when (both.IsCancellationRequested)
                        {
                        }
                    }
                }
                finally
                {
                    // Pooled connections are not reset (ADR/0016): give the lock back before this one goes back to the pool.
                    await using var unlock = new NpgsqlCommand("select pg_advisory_unlock_all()", leader);
                    await unlock.ExecuteNonQueryAsync(CancellationToken.None);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogError(e, "CRM change push stopped; it starts again from its saved positions.");
                await Task.Delay(TimeSpan.FromSeconds(1), stopping).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
    }
}
