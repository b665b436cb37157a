using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ledger.EventStore.Replication;

/// <summary>
/// Copies every event of the system of record (EventStoreDB's <c>$all</c>, system events excluded by the
/// backend) into the read side's event tables, in order and exactly once (ADR/0010). It resumes from the
/// checkpoint the target stores with each batch, so it can be stopped at any point.
/// </summary>
public sealed class EventReplicator(
    IEventStore source, IReplicationTarget target, ILogger<EventReplicator> logger, string name = EventReplicator.DefaultName)
    : BackgroundService
{
    public const string DefaultName = "eventstoredb-to-marten";
    private const int MaxBatch = 500;

    private volatile ReplicationFailure? _failure;

    /// <summary>Why replication is not moving, since when; null while batches go through (read by the health check).</summary>
    public ReplicationFailure? Failure => _failure;

    /// <summary>How many events of the source the copy lacks, counted up to <paramref name="limit"/>.</summary>
    public async Task<int> EventsBehindAsync(int limit, CancellationToken ct)
    {
        var behind = 0;
        await foreach (var _ in source.ReadAllAsync(await target.LoadCheckpointAsync(name, ct), limit, ct)) behind++;
        return behind;
    }

    /// <summary>Copies until cancelled: catches up, then follows the live subscription.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Restart from the stored checkpoint: whatever was not committed is copied again.
                _failure = new ReplicationFailure(e.Message, _failure?.Since ?? DateTimeOffset.UtcNow);
                logger.LogError(e, "Replication stopped; restarting from the last checkpoint in 2 s");
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var checkpoint = await target.LoadCheckpointAsync(name, ct);
        logger.LogInformation("Replicating from position {Checkpoint}", checkpoint);

        // The subscription fills a buffer; batches are cut from whatever has arrived, so catching up moves
        // hundreds of events per transaction and live traffic moves each event as soon as it comes.
        var buffer = Channel.CreateBounded<RecordedEvent>(new BoundedChannelOptions(MaxBatch * 4) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in source.SubscribeToAllAsync(checkpoint, stop.Token))
                    await buffer.Writer.WriteAsync(e, stop.Token);
                buffer.Writer.TryComplete();
            }
            catch (Exception e)
            {
                buffer.Writer.TryComplete(e);
            }
        }, stop.Token);

        try
        {
            var batch = new List<RecordedEvent>(MaxBatch);
            while (await buffer.Reader.WaitToReadAsync(ct))
            {
                while (batch.Count < MaxBatch && buffer.Reader.TryRead(out var e)) batch.Add(e);
                await target.ApplyAsync(name, batch, ct);
                _failure = null;
                batch.Clear();
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAny(reading);
        }
    }
}

/// <summary>The error that stopped the last attempt, and when replication first stopped moving.</summary>
public sealed record ReplicationFailure(string Error, DateTimeOffset Since);
