using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ledger.Application;

/// <summary>
/// One node at a time: runs work while this node holds a PostgreSQL advisory lock, and tries again every 2 s while another
/// node holds it. A failure of the work is logged and the work started again (from whatever it stored) a second later; a
/// node that dies releases the lock with its connection.
/// </summary>
public static class Leadership
{
    public static async Task RunWhileLeaderAsync(NpgsqlDataSource db, long advisoryLock, Func<CancellationToken, Task> work, ILogger log, string whenStopped,
        CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var leader = await db.OpenConnectionAsync(stopping);
                await using (var tryLock = new NpgsqlCommand($"select pg_try_advisory_lock({advisoryLock})", leader))
                    if (!(bool)(await tryLock.ExecuteScalarAsync(stopping))!)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(2), stopping);
                        continue;
                    }
                try
                {
                    await work(stopping);
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
#pragma warning disable CA2254 // the message is the caller's constant
                log.LogError(e, whenStopped);
#pragma warning restore CA2254
                await Task.Delay(TimeSpan.FromSeconds(1), stopping).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
    }
}
