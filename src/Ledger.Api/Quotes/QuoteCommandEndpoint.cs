using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Quotes;

namespace Ledger.Api.Quotes;

/// <summary>A command's HTTP answer, and whether the command took effect (so that follow-up commands on other streams may run).</summary>
public sealed record CommandOutcome(IResult Http, CommandResult? Result)
{
    public bool Applied => Result is CommandResult.Appended or CommandResult.Unchanged;
}

/// <summary>What every command on an existing quote does at the edge: check the caller's CRM, then send the command.</summary>
public static class QuoteCommandEndpoint
{
    public static async Task<CommandOutcome> Run(
        HttpContext context, StreamCommands streams, string quoteId, Func<QuoteState, QuoteCommand> command, CancellationToken ct)
    {
        var quote = await streams.LoadQuote(quoteId, ct);
        if (context.Forbids(quote.Draft?.SourceCrm) is { } forbidden) return new CommandOutcome(forbidden, null);
        var result = await streams.Send(command(quote), context.CommandMetadata(), ct);
        return new CommandOutcome(result.ToHttp(context), result);
    }

    public static async Task<IResult> Send(
        HttpContext context, StreamCommands streams, string quoteId, Func<QuoteState, QuoteCommand> command, CancellationToken ct) =>
        (await Run(context, streams, quoteId, command, ct)).Http;
}
