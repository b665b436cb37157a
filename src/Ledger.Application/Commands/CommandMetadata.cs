namespace Ledger.Application.Commands;

/// <summary>
/// Who sends a command and on whose behalf: becomes the metadata of every event it causes. The idempotency
/// key is required because event ids are derived from it (ADR/0009).
/// </summary>
public sealed record CommandMetadata(
    string CommandId,
    string CorrelationId,
    string Actor,
    string SourceSystem,
    string IdempotencyKey)
{
    /// <summary>What caused the events: the command itself, or for a reaction the event it follows (ADR/0017).</summary>
    public string CausationId { get; init; } = CommandId;

    /// <summary>The id of the i-th event this command appends to a stream: the same on every retry.</summary>
    public Guid EventId(string streamId, int index) =>
        DeterministicGuid.Create($"{Actor}\n{IdempotencyKey}\n{streamId}\n{index}");

    /// <summary>A command the ledger sends itself (a reaction): the ledger is the actor, the key derived from what triggered it.</summary>
    public static CommandMetadata ByLedger(string key) => new(CommandIdFor("ledger", key), key, "ledger", "ledger", key);

    /// <summary>
    /// The commands a reactor decides after <paramref name="cause"/>: in the cause's correlation, caused by it, keyed by reactor
    /// and cause, so running the reaction again derives the same event ids and finds the same stored answer.
    /// </summary>
    public static CommandMetadata ForReaction(string reactor, Ledger.EventStore.RecordedEvent cause)
    {
        var key = $"reaction:{reactor}:{cause.EventId}";
        return new CommandMetadata(CommandIdFor("ledger", key), cause.Metadata.CorrelationId, "ledger", "ledger", key)
        {
            CausationId = cause.EventId.ToString(),
        };
    }

    /// <summary>A command id that is stable across retries of one request.</summary>
    public static string CommandIdFor(string actor, string idempotencyKey) =>
        DeterministicGuid.Create($"command\n{actor}\n{idempotencyKey}").ToString();
}
