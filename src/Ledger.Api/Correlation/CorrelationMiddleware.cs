namespace Ledger.Api.Correlation;

/// <summary>
/// Every request has a correlation id: the caller's <c>X-Correlation-Id</c>, or a new one. It is echoed on the
/// response and goes into the metadata of every event the request causes.
/// </summary>
public static class CorrelationMiddleware
{
    public const string Header = "X-Correlation-Id";
    private const int MaxLength = 128;

    public static IApplicationBuilder UseCorrelationIds(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var presented = context.Request.Headers[Header].ToString();
            var correlationId = presented.Length is > 0 and <= MaxLength && presented.All(c => c is > ' ' and < '\x7f')
                ? presented
                : Guid.NewGuid().ToString("N");
            context.Items[Header] = correlationId;
            context.Response.OnStarting(() =>
            {
                context.Response.Headers[Header] = correlationId;
                return Task.CompletedTask;
            });
            await next();
        });

    public static string CorrelationId(this HttpContext context) =>
        context.Items[Header] as string ?? throw new InvalidOperationException("UseCorrelationIds is not in the pipeline.");
}
