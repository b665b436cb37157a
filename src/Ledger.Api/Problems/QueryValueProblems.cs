using System.Diagnostics;
using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Wolverine.Http;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Ledger.Api.Problems;

/// <summary>
/// A query value that does not parse (<c>?page=abc</c>) is refused by Wolverine's generated binding
/// (<c>RejectUnparseableQueryValues</c>) with a 400 problem of its own shape: a <c>parameter</c> member and a detail
/// naming the .NET type it expected (e.g. <c>Ledger.Domain.Quotes.QuoteStatus</c>). This writer, asked before ASP.NET's
/// default one and whatever the client accepts, answers it in the ledger's shape instead (<see cref="LedgerProblems"/>):
/// code <c>query.invalid</c>, <c>field</c> naming the parameter, and a detail that says in words what the value should be.
/// Every other problem is left to the default writer.
/// </summary>
public sealed class QueryValueProblems(IOptions<JsonOptions> json) : IProblemDetailsWriter
{
    public const string Code = "query.invalid";

    /// <summary>Wolverine's: a 400 with a string <c>parameter</c> member, which no problem of the ledger's has (they carry a <c>code</c>).</summary>
    public bool CanWrite(ProblemDetailsContext context) =>
        context.ProblemDetails is { Status: StatusCodes.Status400BadRequest } problem
        && !problem.Extensions.ContainsKey("code")
        && problem.Extensions.TryGetValue("parameter", out var parameter) && parameter is string;

    public async ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var parameter = (string)context.ProblemDetails.Extensions["parameter"]!;
        var value = http.Request.Query[parameter].ToString();
        var shown = value.Length > 100 ? value[..100] + "…" : value;
        var problem = LedgerProblems.Create(StatusCodes.Status400BadRequest, Code,
            $"The query parameter '{parameter}' is '{shown}', which is not {Expected(ParameterType(http, parameter))}.", parameter);
        problem.Extensions["traceId"] = Activity.Current?.Id ?? http.TraceIdentifier;
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        await http.Response.WriteAsJsonAsync(problem, typeof(ProblemDetails), json.Value.SerializerOptions, "application/problem+json", http.RequestAborted);
    }

    /// <summary>The endpoint method's parameter of that name (Wolverine keeps its chain in the endpoint's metadata), if it can be found.</summary>
    private static Type? ParameterType(HttpContext context, string parameter)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        var method = metadata?.GetMetadata<HttpChain>()?.Method.Method ?? metadata?.GetMetadata<MethodInfo>();
        var type = method?.GetParameters().FirstOrDefault(p => string.Equals(p.Name, parameter, StringComparison.OrdinalIgnoreCase))?.ParameterType;
        return type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
    }

    private static string Expected(Type? type) => type switch
    {
        null => "a value it accepts",
        { IsEnum: true } => $"one of {string.Join(", ", Enum.GetNames(type))}",
        _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "a whole number",
        _ when type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) => "a whole number of 0 or more",
        _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number (e.g. 1.5)",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(Guid) => "a GUID",
        _ => "a value it accepts",
    };
}
