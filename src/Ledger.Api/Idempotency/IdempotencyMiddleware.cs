using System.Security.Cryptography;
using Ledger.Api.Problems;
using Ledger.Api.Security;

namespace Ledger.Api.Idempotency;

/// <summary>
/// Every POST needs an <c>Idempotency-Key</c>. The first attempt's answer is stored and replayed to any repeat
/// with the same body; the same key with another body is 422. Attempts with one key are serialised.
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
            if (!HttpMethods.IsPost(context.Request.Method) || client is null)
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

            var requestHash = await HashRequestAsync(context.Request);
            var keys = context.RequestServices.GetRequiredService<IdempotencyKeys>();
            await using var held = await keys.LockAsync(client, key, context.RequestAborted);

            if (await held.FindAsync(context.RequestAborted) is { } stored)
            {
                if (stored.RequestHash != requestHash)
                {
                    await LedgerProblems.Write(context, StatusCodes.Status422UnprocessableEntity, "idempotency-key.reused",
                        $"This {Header} was already used for a different request; use a new key for a new request.", field: Header);
                    return;
                }
                await ReplayAsync(context, stored);
                return;
            }

            var original = context.Response.Body;
            using var captured = new MemoryStream();
            context.Response.Body = captured;
            try
            {
                await next();
            }
            finally
            {
                context.Response.Body = original;
            }

            // Only final answers are kept. 5xx, and an answer to a client that went away (499, which nobody read),
            // are not: the retry should try again, and event ids keep it from duplicating.
            if (context.Response.StatusCode < 500 && context.Response.StatusCode != StatusCodes.Status499ClientClosedRequest &&
                !context.RequestAborted.IsCancellationRequested)
                await held.SaveAsync(new StoredResponse(requestHash, context.Response.StatusCode,
                    context.Response.ContentType, context.Response.Headers.Location.ToString() is { Length: > 0 } l ? l : null,
                    captured.ToArray()), CancellationToken.None);
            captured.Position = 0;
            await captured.CopyToAsync(original, context.RequestAborted);
        });

    /// <summary>The idempotency key of the current request, for deriving event ids.</summary>
    public static string? IdempotencyKey(this HttpContext context) =>
        context.Request.Headers[Header].ToString() is { Length: > 0 } key ? key : null;

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

    private static async Task ReplayAsync(HttpContext context, StoredResponse stored)
    {
        context.Response.StatusCode = stored.StatusCode;
        if (stored.ContentType is not null) context.Response.ContentType = stored.ContentType;
        if (stored.Location is not null) context.Response.Headers.Location = stored.Location;
        context.Response.Headers[ReplayedHeader] = "true";
        await context.Response.Body.WriteAsync(stored.Body, context.RequestAborted);
    }
}
