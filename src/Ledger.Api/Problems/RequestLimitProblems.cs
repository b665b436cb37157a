namespace Ledger.Api.Problems;

public static class RequestLimitProblems
{
    /// <summary>Kestrel refuses oversized or malformed requests by throwing; answer those as problem details.</summary>
    public static IApplicationBuilder UseRequestLimitProblems(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            try
            {
                await next();
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                context.Response.Clear();
                var (code, detail) = e.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? ("request.too-large", $"The request body is larger than {LedgerApi.MaxRequestBodyBytes} bytes.")
                    : ("request.malformed", "The request could not be read.");
                await LedgerProblems.Write(context, e.StatusCode, code, detail);
            }
        });
}
