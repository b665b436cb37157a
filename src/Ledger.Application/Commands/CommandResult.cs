using Ledger.Domain.Common;
using Ledger.EventStore;

namespace Ledger.Application.Commands;

[Closed]
public abstract record CommandResult
{
    private CommandResult() { }

    /// <param name="Replayed">The events were already in the stream from an earlier attempt with the same key.</param>
    public sealed record Appended(string StreamId, long Revision, GlobalPosition Position, IReadOnlyList<string> EventTypes, bool Replayed)
        : CommandResult;

    /// <summary>The command was already satisfied: nothing to append (e.g. a duplicate acknowledgement).</summary>
    public sealed record Unchanged(string StreamId, long Revision) : CommandResult;

    public sealed record Refused(Refusal Refusal) : CommandResult;

    /// <summary>Other writers kept changing the stream; every re-decided attempt lost the race.</summary>
    public sealed record ConcurrencyConflict(string StreamId, int Attempts) : CommandResult;

    /// <summary>What the command came to, in a few words, for logs and stored reaction answers.</summary>
    public string Outcome => this switch
    {
        Appended a => $"appended {string.Join(", ", a.EventTypes)} to {a.StreamId}",
        Unchanged u => $"nothing to append to {u.StreamId}",
        Refused f => $"refused: {f.Refusal.Code}",
        ConcurrencyConflict c => $"lost its race on {c.StreamId} {c.Attempts} times",
        _ => throw new System.Diagnostics.UnreachableException(),
    };
}
