using System.Security.Cryptography;
using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.EventStore.Writing;

namespace Ledger.Api.Idempotency;

/// <summary>The request's key and a hash of what it asked: the answer is stored under the key, the hash tells a retry from a reuse.</summary>
public sealed record IdempotentRequest(AnswerKey Key, string RequestHash);

/// <summary>
/// Every POST needs an <c>Idempotency-Key</c>. This middleware only checks the header and hashes the request; the
/// command's own transaction looks up and stores the answer with its events (ADR/0009, ADR/0016).
/// </summary>
public static class IdempotencyMiddleware
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const int MaxKeyLength = 200;

    public static IApplicationBuilder UseIdempotencyKeys(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            // Only authenticated writes: a 401 is not an answer worth keeping.
            var client = context.User.FindFirst(LedgerClaims.Client)?.Value;
            // The console's forms carry their own key, rendered into the form (ConsoleCommands, ADR/0019).
            if (!HttpMethods.IsPost(context.Request.Method) || client is null || context.Request.Path.StartsWithSegments("/console"))
            {
                await next();
                return;
            }

            var key = context.Request.Headers[Header].ToString();
            if (key.Length == 0 || key.Length > MaxKeyLength || key.Any(char.IsControl))
            {
                await LedgerProblems.Write(context, StatusCodes.Status400BadRequest, "idempotency-key.required",
                    $"Every POST needs an {Header} header of 1 to {MaxKeyLength} printable characters.", field: Header);
                return;
            }

            context.Features.Set(new IdempotentRequest(new AnswerKey(client, key), await HashRequestAsync(context.Request)));
            await next();
        });

    /// <summary>The idempotency key of the current request, for deriving event ids.</summary>
    public static string? IdempotencyKey(this HttpContext context) =>
        context.Features.Get<IdempotentRequest>()?.Key.Key ?? (context.Request.Headers[Header].ToString() is { Length: > 0 } key ? key : null);

    private static async Task<string> HashRequestAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0)
            sha.AppendData(buffer, 0, read);
        request.Body.Position = 0;
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
