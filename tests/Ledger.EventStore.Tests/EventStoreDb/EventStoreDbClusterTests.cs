using System.Collections.Concurrent;
using Ledger.EventStore.EventStoreDb;
using Ledger.EventStore.Verification;
using Ledger.Testing;
using Xunit;
using Xunit.Abstractions;
using static Ledger.EventStore.Tests.TestEvents;

namespace Ledger.EventStore.Tests.EventStoreDb;

/// <summary>
/// A three-node cluster (opt-in: <c>LEDGER_TEST_ESDB_CLUSTER</c> names its nodes, e.g.
/// <c>esdb://127.0.0.1:2121,127.0.0.1:2122,127.0.0.1:2123?tls=false</c>, all three up): writers append through the port
/// while the leader is shut down; they go on after the election, and every acknowledged append is stored exactly once,
/// chained, on the new leader. The killed node stays down: start it again before the next run.
/// </summary>
public sealed class EventStoreDbClusterTests(ITestOutputHelper output)
{
    private const int Writers = 8;
    private const int AppendsEachSide = 25;

    [SkippableFact]
    public async Task Appends_go_on_across_a_leader_kill_and_nothing_acknowledged_is_lost()
    {
        var cluster = await ClusterAsync();
        var prefix = $"cluster{Guid.NewGuid():N}"[..20];
        using var backend = new EventStoreDbBackend(cluster with { StreamPrefix = prefix });
        var store = new HashChainingEventStore(backend);
        var acknowledged = new ConcurrentDictionary<string, List<Guid>>();
        var killed = new TaskCompletionSource();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(5)); // a safety net against a hung cluster, not a measurement
        var failures = 0;

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var stream = $"writer-{w}";
            var mine = acknowledged[stream] = [];
            // Until this writer has AppendsEachSide acknowledged appends after the kill as well as before it.
            var afterKill = 0;
            while (afterKill < AppendsEachSide)
            {
                patience.Token.ThrowIfCancellationRequested();
                var append = Happened(mine.Count, 1);
                while (true)
                {
                    try
                    {
                        // The same ids and expectation on every attempt: an append that landed before its answer was lost is recognised.
                        var result = await store.AppendAsync(stream, mine.Count == 0 ? ExpectedRevision.NoStream : ExpectedRevision.Exact(mine.Count - 1), append, patience.Token);
                        Assert.IsType<AppendResult.Success>(result);
                        break;
                    }
                    catch (EventStoreDbException)
                    {
                        Interlocked.Increment(ref failures);
                        await Task.Delay(200, patience.Token);
                    }
                }
                mine.Add(append[0].EventId);
                if (killed.Task.IsFaulted) await killed.Task;
                if (killed.Task.IsCompletedSuccessfully) afterKill++;
                else if (mine.Count >= AppendsEachSide && Interlocked.Exchange(ref _killing, 1) == 0) _ = KillTheLeaderAsync(cluster, killed);
            }
        }, patience.Token)).ToList();
        await Task.WhenAll(writers);

        var stored = 0;
        var lost = 0;
        foreach (var (stream, ids) in acknowledged)
        {
            var events = Assert.IsType<ReadStreamResult.Found>(await store.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, int.MaxValue)).Events;
            stored += events.Count;
            lost += ids.Except(events.Select(e => e.EventId)).Count();
            Assert.Equal(ids, events.Select(e => e.EventId)); // each once, in order, nothing else
            Assert.True((await new ChainVerifier(store).VerifyStreamAsync(stream)).Intact, $"{stream}'s chain does not verify");
        }
        output.WriteLine($"leader killed: {_killedLeader}; " +
                         $"acknowledged {acknowledged.Values.Sum(a => a.Count)}, stored {stored}, lost {lost}; " +
                         $"leader looked up {backend.Rediscoveries} time(s); appends that failed and were sent again {failures}");
        Assert.Equal(0, lost);

        // Reads from a follower, when asked, see the same stream (once it has caught up).
        using var followerBackend = new EventStoreDbBackend(cluster with { StreamPrefix = prefix, NodePreference = NodePreference.Follower });
        var someStream = acknowledged.Keys.First();
        var fromFollower = new List<Guid>();
        for (var until = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < until; await Task.Delay(200))
        {
            fromFollower = (await followerBackend.ReadStreamAsync(someStream, ReadDirection.Forwards, StreamRevision.Start, int.MaxValue)) is ReadStreamResult.Found f
                ? f.Events.Select(e => e.EventId).ToList()
                : [];
            if (fromFollower.SequenceEqual(acknowledged[someStream])) break;
        }
        Assert.Equal(acknowledged[someStream], fromFollower);
    }

    private string? _killedLeader;
    private int _killing;

    private async Task KillTheLeaderAsync(EventStoreDbConnectionString cluster, TaskCompletionSource killed)
    {
        try
        {
            _killedLeader = await TestEventStoreCluster.KillTheLeaderAsync(cluster);
            killed.TrySetResult();
        }
        catch (Exception e)
        {
            killed.TrySetException(e);
        }
    }

    private static async Task<EventStoreDbConnectionString> ClusterAsync()
    {
        var (cluster, unavailable) = await TestEventStoreCluster.FindAsync();
        Skip.If(unavailable is not null, unavailable);
        return cluster!;
    }
}
