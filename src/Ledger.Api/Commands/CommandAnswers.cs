using Ledger.Api.Idempotency;
using Ledger.Api.Problems;
using Ledger.Application.Commands;
using Ledger.EventStore.Writing;

namespace Ledger.Api.Commands;

/// <summary>
/// Every POST runs as one command unit (ADR/0016): its work answers an <see cref="IResult"/>, which is rendered and
/// stored under the request's key in the same transaction as the events, then written to the client. A retry with
/// the same key and body gets the stored answer; the same key with another body is 422; a race lost every time is 409.
/// </summary>
public static class CommandAnswers
{
    public static async Task<IResult> Answer(this CommandRunner commands, HttpContext context, Func<CommandUnit, CancellationToken, Task<IResult>> work)
    {
        var request = context.Features.Get<IdempotentRequest>()
                      ?? throw new InvalidOperationException("Commands need an Idempotency-Key (the middleware enforces it).");
        var ct = context.RequestAborted;
        try
        {
            var answer = await commands.RunAsync(context.CommandMetadata(), request.Key,
                async unit => await Render(context, await work(unit, ct), request.RequestHash),
                // A 5xx is no answer to keep: the retry should try again (ADR/0009).
                answer => Task.FromResult(answer.StatusCode < 500 ? answer : null), Durability.Acknowledged, ct);
            return new AnswerResult(answer, Replayed: false);
        }
        catch (AlreadyAnsweredException already) when (already.Answer.RequestHash == request.RequestHash)
        {
            return new AnswerResult(already.Answer, Replayed: true);
        }
        catch (AlreadyAnsweredException)
        {
            return Results.Problem(LedgerProblems.Create(StatusCodes.Status422UnprocessableEntity, "idempotency-key.reused",
                $"This {IdempotencyMiddleware.Header} was already used for a different request; use a new key for a new request.",
                IdempotencyMiddleware.Header));
        }
        catch (CommandConflictException conflict)
        {
            return Results.Problem(LedgerProblems.Create(StatusCodes.Status409Conflict, "stream.concurrency-conflict",
                $"What this command decides on kept changing ({conflict.Attempts} attempts); load it again and retry."));
        }
    }

    /// <summary>A command on one stream, answered by the one mapping from its result to HTTP.</summary>
    public static Task<IResult> Answer(this CommandRunner commands, HttpContext context, Func<CommandUnit, CancellationToken, Task<CommandResult>> work,
        string? createdLocation = null) =>
        commands.Answer(context, async (unit, ct) => (await work(unit, ct)).ToHttp(context, createdLocation));

    /// <summary>Runs the result into a buffer, as the client would receive it, so the very same bytes can be stored and replayed.</summary>
    private static async Task<StoredAnswer> Render(HttpContext context, IResult result, string requestHash)
    {
        var buffer = new DefaultHttpContext { RequestServices = context.RequestServices };
        using var body = new MemoryStream();
        buffer.Response.Body = body;
        await result.ExecuteAsync(buffer);
        var location = buffer.Response.Headers.Location.ToString();
        return new StoredAnswer(requestHash, buffer.Response.StatusCode, buffer.Response.ContentType, location.Length > 0 ? location : null, body.ToArray());
    }

    private sealed record AnswerResult(StoredAnswer Answer, bool Replayed) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = Answer.StatusCode;
            if (Answer.ContentType is not null) context.Response.ContentType = Answer.ContentType;
            if (Answer.Location is not null) context.Response.Headers.Location = Answer.Location;
            if (Replayed) context.Response.Headers[IdempotencyMiddleware.ReplayedHeader] = "true";
            await context.Response.Body.WriteAsync(Answer.Body, context.RequestAborted);
        }
    }
}
