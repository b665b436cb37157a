using Ledger.EventStore.EventStoreDb;
using Microsoft.AspNetCore.Diagnostics;

namespace Ledger.Api.Problems;

/// <summary>
/// The events a command decided are larger than EventStoreDB takes in one append (its <c>MaxAppendSize</c>, ADR/0006): 413
/// problem details naming the limit, not a 500. The append was refused before it was sent, so nothing was recorded; the
/// same request will be refused again, so there is nothing to retry.
/// </summary>
public sealed class AppendTooLargeHandler(ILogger<AppendTooLargeHandler> log) : IExceptionHandler
{
    public const string Code = "events.too-large";

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (exception is not EventStoreDbAppendTooLargeException tooLarge || context.Response.HasStarted) return false;
        log.LogWarning("{Message}", tooLarge.Message);
        var size = tooLarge.AppendSize is { } bytes ? $" ({bytes} bytes)" : "";
        var limit = tooLarge.MaximumAppendSize is { } max ? $"{max} bytes" : "the server's limit";
        await LedgerProblems.Write(context, StatusCodes.Status413PayloadTooLarge, Code,
            $"The events this request would record{size} are larger than the event store takes in one append ({limit}). " +
            "Nothing was recorded; send less data (shorter texts, fewer items per request).", field: "body");
        return true;
    }
}
