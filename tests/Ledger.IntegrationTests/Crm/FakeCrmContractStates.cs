using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ledger.IntegrationTests.Crm;

/// <summary>
/// A CRM that answers the ledger's pull of its contract states (ADR/0021) on a real Kestrel listener: it serves whatever
/// <see cref="Body"/> holds (the CRM's current states, as JSON) to a caller with its bearer token, 401 to any other, and
/// <see cref="Status"/> lets a test make it fail. It records each request's Authorization header.
/// </summary>
public sealed class FakeCrmContractStates : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<string> _authorizations = [];
    private readonly Lock _lock = new();
    private volatile string _body = """{ "reports": [] }""";

    private FakeCrmContractStates(WebApplication app, Uri url, string token)
    {
        _app = app;
        Url = url;
        Token = token;
    }

    public Uri Url { get; }

    public string Token { get; }

    /// <summary>What the CRM shows now, as the JSON document it answers with.</summary>
    public string Body { get => _body; set => _body = value; }

    /// <summary>An error status to answer instead of the body; null answers the body.</summary>
    public int? Status { get; set; }

    /// <summary>The Authorization header of every request, in arrival order.</summary>
    public IReadOnlyList<string> Authorizations { get { lock (_lock) return _authorizations.ToList(); } }

    public static async Task<FakeCrmContractStates> StartAsync(string token)
    {
        var url = new Uri($"http://127.0.0.1:{RunningLedger.FreePort()}/api/ledger/contract-states");
        var builder = WebApplication.CreateSlimBuilder(["--urls", $"{url.Scheme}://{url.Authority}"]);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var crm = new FakeCrmContractStates(app, url, token);
        app.MapGet(url.AbsolutePath, crm.Answer);
        await app.StartAsync();
        return crm;
    }

    private IResult Answer(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        lock (_lock) _authorizations.Add(authorization);
        if (authorization != $"Bearer {Token}") return Results.Unauthorized();
        return Status is { } status ? Results.StatusCode(status) : Results.Text(Body, "application/json", Encoding.UTF8);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
