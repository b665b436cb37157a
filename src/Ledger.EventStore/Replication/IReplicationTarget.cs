namespace Ledger.EventStore.Replication;

/// <summary>
/// Where replicated events land (Marten's event tables, for the projections). Applying a batch writes its
/// events at their original revisions, with their original ids and hashes, and moves the checkpoint, all in
/// one transaction: a batch is either wholly replicated with its checkpoint or not at all.
/// </summary>
public interface IReplicationTarget
{
    Task<GlobalPosition> LoadCheckpointAsync(string replicator, CancellationToken ct);

    Task ApplyAsync(string replicator, IReadOnlyList<RecordedEvent> batch, CancellationToken ct);
}
