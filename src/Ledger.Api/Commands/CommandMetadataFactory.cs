using Ledger.Api.Correlation;
using Ledger.Api.Idempotency;
using Ledger.Api.Security;
using Ledger.Application.Commands;

namespace Ledger.Api.Commands;

public static class CommandMetadataFactory
{
    /// <summary>
    /// The metadata of a command sent over HTTP: the authenticated client is the actor, its CRM (or its own
    /// name for non-CRM clients) the source system, and the command id is stable across retries of one key.
    /// </summary>
    public static CommandMetadata CommandMetadata(this HttpContext context)
    {
        var actor = context.User.FindFirst(LedgerClaims.Client)?.Value
                    ?? throw new InvalidOperationException("Commands need an authenticated client.");
        var key = context.IdempotencyKey()
                  ?? throw new InvalidOperationException("Commands need an Idempotency-Key (the middleware enforces it).");
        var source = context.User.FindFirst(LedgerClaims.Crm)?.Value ?? actor;
        return new CommandMetadata(Application.Commands.CommandMetadata.CommandIdFor(actor, key),
            context.CorrelationId(), actor, source, key);
    }
}
