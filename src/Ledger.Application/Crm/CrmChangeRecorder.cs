using System.Diagnostics;
using Ledger.EventStore;
using Microsoft.Extensions.Logging;

namespace Ledger.Application.Crm;

/// <summary>
/// Records every change to a CRM's quotes from the ledger's log into the CRM change log (ADR/0020): a subscription to
/// <c>$all</c> through the event store port (the same gap rule and both backends, like the reaction processor), strictly in
/// log order, from its own checkpoint. A change and the checkpoint commit together; a repeat after a crash records nothing twice.
/// </summary>
public sealed class CrmChangeRecorder(IEventStore store, EventSerializer serializer, CrmChangeStore changes, ILogger<CrmChangeRecorder> log)
{
    /// <summary>Owners looked up or named lately; bounded, since every quote ever drafted would otherwise stay in memory.</summary>
    private readonly Dictionary<string, QuoteOwner> _owners = new(StringComparer.Ordinal);
    private const int OwnersKept = 50_000;

    private long _position;

    /// <summary>The position of the last event recorded or passed over.</summary>
    public long Position => Interlocked.Read(ref _position);

    public async Task<bool> IsCaughtUpAsync(CancellationToken ct)
    {
        await foreach (var _ in store.ReadAllAsync(new GlobalPosition((ulong)Position), 1, ct)) return false;
        return true;
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var saved = await changes.CheckpointAsync(ct);
        Interlocked.Exchange(ref _position, saved);
        var sinceSave = Stopwatch.StartNew();
        try
        {
            // What has arrived is recorded together: the changes and the checkpoint after them in one transaction.
            await foreach (var batch in store.SubscribeToAllAsync(new GlobalPosition((ulong)saved), ct).InBatchesAsync(500, ct))
            {
                var position = (long)batch[^1].Position.Value;
                var recorded = new List<CrmChangeRecord>();
                foreach (var e in batch)
                    if (await ChangeOfAsync(e, ct) is { } change) recorded.Add(change);
                // Events that changed no CRM's quote move the checkpoint only every second.
                if (recorded.Count > 0 || (position != saved && sinceSave.Elapsed > TimeSpan.FromSeconds(1)))
                {
                    await changes.RecordAsync(recorded, position, ct);
                    saved = position;
                    sinceSave.Restart();
                }
                Interlocked.Exchange(ref _position, position);
            }
        }
        finally
        {
            if (Position != saved) await changes.SaveCheckpointAsync(Position, CancellationToken.None);
        }
    }

    /// <summary>The change the event makes to a CRM's quote, if it makes one.</summary>
    private async Task<CrmChangeRecord?> ChangeOfAsync(RecordedEvent recorded, CancellationToken ct)
    {
        // Another tool's event, or one edited by hand, is no change the ledger vouches for (verification reports it).
        if (!serializer.TryRead(recorded, out var @event, out _)) return null;
        var (key, named) = CrmChangeScope.Of(@event) switch
        {
            CrmChangeScope.Scope.Names names => (names.Key, names.Owner),
            CrmChangeScope.Scope.LookUp lookUp => (lookUp.Key, (QuoteOwner?)null),
            _ => ((string?)null, (QuoteOwner?)null),
        };
        if (key is null) return null;
        // An owner named earlier in the same batch is known here before it is stored.
        var owner = named ?? _owners.GetValueOrDefault(key) ?? await changes.OwnerAsync(key, ct);
        if (owner is null)
        {
            log.LogWarning("Event {EventId} ({Type}) at {Position} names {Key}, whose CRM no earlier event named; no CRM is told of it.",
                recorded.EventId, recorded.Type, recorded.Position.Value, key);
            return null;
        }
        if (_owners.Count >= OwnersKept) _owners.Clear();
        _owners[key] = owner;
        return new CrmChangeRecord((long)recorded.Position.Value, recorded.EventId, recorded.Type, owner, CrmChange.Document(recorded, owner),
            named is null ? null : key, recorded.Metadata.TraceParent);
    }
}
