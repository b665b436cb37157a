using Ledger.EventStore;
using Microsoft.AspNetCore.Diagnostics;

namespace Ledger.Api.Problems;

/// <summary>
/// A stream holds an event the ledger did not write or cannot read (another tool's, or a row edited by hand): 409 problem
/// details naming the stream, the revision and the stored type, not a 500. Nothing was appended; the auditor's verify
/// reports the same event as not written by the ledger.
/// </summary>
public sealed class UnreadableEventHandler(ILogger<UnreadableEventHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (exception is not UnreadableEventException unreadable || context.Response.HasStarted) return false;
        log.LogWarning("{Message}", unreadable.Message);
        var e = unreadable.Event;
        await LedgerProblems.Write(context, StatusCodes.Status409Conflict, "stream.unreadable",
            $"{e.StreamId} holds an event the ledger cannot read at revision {e.Revision} (stored type '{e.Type}'): {unreadable.Reason}. " +
            "Nothing was recorded; nothing can be decided on this stream until it is put right (see its timeline's verify).");
        return true;
    }
}
