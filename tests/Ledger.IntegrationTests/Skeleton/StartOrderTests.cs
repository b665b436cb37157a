using Ledger.Api;
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
    [Fact]
    public async Task The_reaction_processor_starts_after_wolverines_runtime()
    {
        // Built, not started: nothing connects.
        await using var app = LedgerApi.Build([], builder => builder.Configuration[LedgerSettings.PostgresVariable] = "Host=127.0.0.1;Database=start-order");
        var order = app.Services.GetServices<IHostedService>().Select(service => service.GetType()).ToList();

        var wolverine = order.FindIndex(type => typeof(WolverineRuntime).IsAssignableFrom(type));
        var reactions = order.FindIndex(type => type == typeof(ReactionProcessor));
        Assert.True(wolverine >= 0 && reactions >= 0, "Start order: " + string.Join(", ", order.Select(t => t.Name)));
        Assert.True(reactions > wolverine, "Start order: " + string.Join(", ", order.Select(t => t.Name)));
    }

    [Fact]
    public async Task The_handled_marks_trigger_is_created_after_wolverine_has_created_its_inbox()
    {
        await using var app = LedgerApi.Build([], builder => builder.Configuration[LedgerSettings.PostgresVariable] = "Host=127.0.0.1;Database=start-order");
        var order = app.Services.GetServices<IHostedService>().Select(service => service.GetType()).ToList();

        var wolverine = order.FindIndex(type => typeof(WolverineRuntime).IsAssignableFrom(type));
        var marks = order.FindIndex(type => type == typeof(Ledger.Api.Messaging.HandledMarksCommitWithoutFlush));
        Assert.True(wolverine >= 0 && marks > wolverine, "Start order: " + string.Join(", ", order.Select(t => t.Name)));
    }
}
