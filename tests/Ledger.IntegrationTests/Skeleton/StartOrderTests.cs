using Ledger.Api;
using Ledger.Api.Messaging;
using Ledger.Application.Reactions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Wolverine.Runtime;
using Xunit;

namespace Ledger.IntegrationTests.Skeleton;

/// <summary>
/// Hosted services start one after another in the order they are registered. The reaction processor publishes Wolverine
/// messages (a billing handoff, a timeout); published before Wolverine's runtime has found its handlers, a message type has
/// no route, Wolverine keeps that answer for the life of the process, and the message is dropped while the reaction's
/// answer is stored: the reaction is lost (seen in the crash test, issue 20). So the processor must start after Wolverine.
/// </summary>
public sealed class StartOrderTests
{
    /// <param name="service">The reaction processor (above), and the step that puts the handled-marks trigger on Wolverine's
    /// inbox, which Wolverine creates at its own start (ADR/0027).</param>
    [Theory]
    [InlineData(typeof(ReactionProcessor))]
    [InlineData(typeof(HandledMarksCommitWithoutFlush))]
    public async Task Starts_after_wolverines_runtime(Type service)
    {
        // Built, not started: nothing connects.
        await using var app = LedgerApi.Build([], builder => builder.Configuration[LedgerSettings.PostgresVariable] = "Host=127.0.0.1;Database=start-order");
        var order = app.Services.GetServices<IHostedService>().Select(hosted => hosted.GetType()).ToList();

        var wolverine = order.FindIndex(type => typeof(WolverineRuntime).IsAssignableFrom(type));
        var started = order.FindIndex(type => type == service);
        Assert.True(wolverine >= 0 && started >= 0, "Start order: " + string.Join(", ", order.Select(t => t.Name)));
        Assert.True(started > wolverine, "Start order: " + string.Join(", ", order.Select(t => t.Name)));
    }
}
