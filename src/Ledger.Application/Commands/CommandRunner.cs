using Ledger.EventStore;
using Ledger.EventStore.Writing;
using NodaTime;

namespace Ledger.Application.Commands;

/// <summary>Every attempt lost its race: other writers kept changing what the command decides on.</summary>
public sealed class CommandConflictException(int attempts) : Exception($"The command lost its race {attempts} times.")
{
    public int Attempts { get; } = attempts;
}

/// <summary>
/// Runs a command's work in a fresh <see cref="CommandUnit"/>, commits it with its answer, and runs it again from the
/// start when the commit lost a race (a bounded number of times). The HTTP edge and the ledger's own handlers share it.
/// </summary>
public sealed class CommandRunner(IWriteSessions sessions, EventSerializer serializer, IClock clock)
{
    public const int MaxAttempts = 5;

    /// <param name="answerOf">What to store as the request's answer, from the work's result (null: store nothing).</param>
    /// <param name="durability">Whether the commit waits for its flush: yes for what a client is told (ADR/0027).</param>
    /// <param name="handled">Wolverine's mark of the durable message this unit carries out, to commit with it.</param>
    public async Task<T> RunAsync<T>(CommandMetadata metadata, AnswerKey? key, Func<CommandUnit, Task<T>> work,
        Func<T, Task<StoredAnswer?>>? answerOf, Durability durability, CancellationToken ct, HandledMark? handled = null)
    {
        using var activity = StartActivity(metadata);
        for (var attempt = 1; ; attempt++)
        {
            activity?.SetTag("ledger.command.attempts", attempt);
            await using var session = sessions.Open(key, durability);
            try
            {
                var result = await work(new CommandUnit(session, serializer, metadata, clock.GetCurrentInstant()));
                if (handled is not null) await handled.WriteAsync(await session.TransactionAsync(ct), clock.GetCurrentInstant(), ct);
                await session.CommitAsync(answerOf is null ? null : await answerOf(result), ct);
                handled?.Committed();
                return result;
            }
            catch (WriteConflictException) when (attempt < MaxAttempts)
            {
            }
            catch (WriteConflictException)
            {
                throw new CommandConflictException(attempt);
            }
        }
    }

    /// <summary>A transaction derived units can share (<see cref="RunInGroupAsync{T}"/>), or null where the backend has none.</summary>
    public IWriteGroup? OpenGroup() => sessions.OpenGroup();

    /// <summary>
    /// A derived unit inside <paramref name="group"/>'s transaction, run once: a lost race fails the whole group, and
    /// whoever opened it runs its units again alone (with <see cref="RunAsync{T}"/>'s retries).
    /// </summary>
    public async Task<T> RunInGroupAsync<T>(IWriteGroup group, CommandMetadata metadata, AnswerKey key, Func<CommandUnit, Task<T>> work,
        Func<T, Task<StoredAnswer?>> answerOf, CancellationToken ct)
    {
        using var activity = StartActivity(metadata);
        await using var session = group.Open(key);
        var result = await work(new CommandUnit(session, serializer, metadata, clock.GetCurrentInstant()));
        await session.CommitAsync(await answerOf(result), ct);
        return result;
    }

    private static System.Diagnostics.Activity? StartActivity(CommandMetadata metadata)
    {
        var activity = LedgerTracing.Source.StartActivity("ledger.command");
        activity?.SetTag("ledger.command.id", metadata.CommandId);
        activity?.SetTag("ledger.correlation_id", metadata.CorrelationId);
        activity?.SetTag("ledger.actor", metadata.Actor);
        return activity;
    }

    /// <summary>
    /// A command the ledger sends itself (a timeout, a billing answer): no stored answer, derived ids keep it exact.
    /// <see cref="Durability.Derived"/> when a durable message the log caused asks for it: a lost commit is redone
    /// when the message is handled again, since Wolverine marks it handled only after, later in the WAL, or in the same commit
    /// when the handler gives its <paramref name="handled"/> mark (ADR/0027).
    /// </summary>
    public Task<CommandResult> RunAsync(CommandMetadata metadata, Func<CommandUnit, Task<CommandResult>> work, Durability durability, CancellationToken ct,
        HandledMark? handled = null) =>
        RunAsync(metadata, null, work, null, durability, ct, handled);
}
