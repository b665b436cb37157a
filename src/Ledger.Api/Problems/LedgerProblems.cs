using Microsoft.AspNetCore.Mvc;

namespace Ledger.Api.Problems;

/// <summary>
/// RFC 7807 answers in one shape: <c>type</c> names the rule (a stable code), <c>detail</c> says it in words,
/// and <c>field</c> names the offending input where there is one. Never a stack trace.
/// </summary>
public static class LedgerProblems
{
    public const string TypePrefix = "https://ledger.example/problems/";

    public static ProblemDetails Create(int status, string code, string detail, string? field = null)
    {
        var problem = new ProblemDetails
        {
            Type = TypePrefix + code,
            Title = code,
            Status = status,
            Detail = detail,
        };
        problem.Extensions["code"] = code;
        if (field is not null) problem.Extensions["field"] = field;
        return problem;
    }

    public static Task Write(HttpContext context, int status, string code, string detail, string? field = null) =>
        Results.Problem(Create(status, code, detail, field)).ExecuteAsync(context);
}
