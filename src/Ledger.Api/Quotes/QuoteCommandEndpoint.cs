using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Quotes;
using Ledger.Domain.Common;

namespace Ledger.Api.Quotes;

/// <summary>Why a quote is revised or withdrawn.</summary>
public sealed record ReasonRequest(string Reason);

/// <summary>What every command on an existing quote does at the edge: load the quote once, check the caller's CRM, decide.</summary>
public static class QuoteCommandEndpoint
{
    public static async Task<IResult> DecideOnQuote(this CommandUnit unit, HttpContext context, string quoteId,
        Func<QuoteState, QuoteCommand> command, CancellationToken ct)
    {
        var quote = await unit.Load(Streams.Quote(new QuoteId(quoteId)), ct);
        // A quote from another CRM than the caller's: 403 before anything is decided.
        return context.Forbids(quote.State.Draft?.SourceCrm) ?? (await unit.Decide(quote, command(quote.State), ct)).ToHttp(context);
    }

    /// <summary>A command on one quote, run as its own unit.</summary>
    public static Task<IResult> Send(CommandRunner commands, HttpContext context, string quoteId, Func<QuoteState, QuoteCommand> command) =>
        commands.Answer(context, (unit, ct) => unit.DecideOnQuote(context, quoteId, command, ct));
}
