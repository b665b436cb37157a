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
            await foreach (var recorded in store.SubscribeToAllAsync(new GlobalPosition((ulong)saved), ct))
            {
                var position = (long)recorded.Position.Value;
                // A recorded change moves the checkpoint in its own transaction; others only every second.
                if (await RecordAsync(recorded, ct)) saved = position;
                Interlocked.Exchange(ref _position, position);
                if (position != saved && sinceSave.Elapsed > TimeSpan.FromSeconds(1))
                {
                    await changes.SaveCheckpointAsync(position, ct);
                    saved = position;
                    sinceSave.Restart();
                }
            }
        }
        finally
        {
            if (Position != saved) await changes.SaveCheckpointAsync(Position, CancellationToken.None);
        }
    }

    /// <summary>Whether the event changed a CRM's quote (and is now recorded).</summary>
    private async Task<bool> RecordAsync(RecordedEvent recorded, CancellationToken ct)
    {
        // Another tool's event, or one edited by hand, is no change the ledger vouches for (verification reports it).
        if (!serializer.TryRead(recorded, out var @event, out _)) return false;
        var (key, named) = CrmChangeScope.Of(@event) switch
        {
            CrmChangeScope.Scope.Names names => (names.Key, names.Owner),
            CrmChangeScope.Scope.LookUp lookUp => (lookUp.Key, (QuoteOwner?)null),
            _ => ((string?)null, (QuoteOwner?)null),
        };
        if (key is null) return false;
        var owner = named ?? _owners.GetValueOrDefault(key) ?? await changes.OwnerAsync(key, ct);
        if (owner is null)
        {
            log.LogWarning("Event {EventId} ({Type}) at {Position} names {Key}, whose CRM no earlier event named; no CRM is told of it.",
                recorded.EventId, recorded.Type, recorded.Position.Value, key);
            return false;
        }
        await changes.RecordAsync((long)recorded.Position.Value, recorded.EventId, recorded.Type, owner, CrmChange.Document(recorded, owner),
            named is null ? null : key, ct);
        if (_owners.Count >= OwnersKept) _owners.Clear();
        _owners[key] = owner;
        return true;
    }
}
