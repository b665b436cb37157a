using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Ledger.Api.Problems;

/// <summary>
/// A body whose JSON does not fit the request's shape (a date that is not a date, a level that is no level) is refused
/// by Wolverine with a 400 "Invalid JSON format" whose detail is the serializer's message, naming .NET types
/// (<c>Ledger.Domain.Approvals.ApprovalLevel</c>). This writer answers it in the ledger's shape instead: code
/// <c>body.invalid</c>, the field from the message's JSON path, and words without type names (issue 18).
/// </summary>
public sealed partial class BodyValueProblems(IOptions<JsonOptions> json) : IProblemDetailsWriter
{
    public const string Code = "body.invalid";

    public bool CanWrite(ProblemDetailsContext context) =>
        context.ProblemDetails is { Status: StatusCodes.Status400BadRequest, Title: "Invalid JSON format" } problem && !problem.Extensions.ContainsKey("code");

    public async ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var field = JsonPath().Match(context.ProblemDetails.Detail ?? "") is { Success: true } m && m.Groups[1].Value.Length > 0 ? m.Groups[1].Value : null;
        var problem = LedgerProblems.Create(StatusCodes.Status400BadRequest, Code,
            field is null ? "The body is not JSON of the shape this request takes." : $"The body's '{field}' does not hold a value of the kind it takes.", field);
        problem.Extensions["traceId"] = Activity.Current?.Id ?? http.TraceIdentifier;
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        await http.Response.WriteAsJsonAsync(problem, typeof(ProblemDetails), json.Value.SerializerOptions, "application/problem+json", http.RequestAborted);
    }

    // "… Path: $.reports[0].status | LineNumber: 0 | …" → reports[0].status
    [GeneratedRegex(@"Path: \$\.?([^\s|]*)")]
    private static partial Regex JsonPath();
}
