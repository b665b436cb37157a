namespace Ledger.EventStore.Writing;

/// <summary>
/// When a write must be on disk (ADR/0027). A command a client waits for is flushed before its answer leaves
/// (PostgreSQL's synchronous commit). Work the ledger derives from its own log (reactions, their checkpoint, the CRM
/// change feed) commits asynchronously: a PostgreSQL crash can lose only the newest such transactions, always a
/// suffix of the write-ahead log and never before anything a synchronous commit depended on, and their processors
/// redo them from their checkpoints under the same derived ids.
/// </summary>
public enum Durability
{
    /// <summary>Flushed before the commit returns: someone outside is told it happened.</summary>
    Acknowledged,

    /// <summary>Committed without waiting for the flush: redone from the log should the server crash first.</summary>
    Derived,
}

public static class DurabilitySql
{
    /// <summary>
    /// Whether a unit's commit waits for its flush. Only an acknowledged unit that appended does: a derived one is redone
    /// from the log, and a unit that appended nothing (a refusal, a "not yet") changed nothing that a crash could lose; its
    /// stored answer, lost with the server's last few hundred milliseconds, would only make a retry be decided again.
    /// </summary>
    public static bool WaitsForFlush(Durability durability, bool appended) => durability == Durability.Acknowledged && appended;

    /// <summary>Turns synchronous commit off for the current transaction only (<c>SET LOCAL</c>); in a batch, for its implicit transaction.</summary>
    public const string CommitWithoutWaitingForFlush = "select set_config('synchronous_commit', 'off', true)";

    /// <summary>
    /// A trigger function that turns synchronous commit off for the transaction that fires it: for writes made on
    /// connections the ledger does not open (Marten's daemon, Wolverine), which a table's trigger marks instead.
    /// </summary>
    public static string CommitWithoutFlushTriggerFunction(string qualifiedName) =>
        $$"""
          create or replace function {{qualifiedName}}() returns trigger language plpgsql as $commit$
          begin
            perform set_config('synchronous_commit', 'off', true);
            return null;
          end
          $commit$;
          """;

    /// <summary>The server's default, for the current transaction only: whatever the connection or the server says, this commit waits for its flush.</summary>
    public const string CommitWaitingForFlush = "select set_config('synchronous_commit', 'on', true)";
}
