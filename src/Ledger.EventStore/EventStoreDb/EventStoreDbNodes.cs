using System.Net;
using Grpc.Core;
using Ledger.EventStore.EventStoreDb.Protocol;
using VNodeState = Ledger.EventStore.EventStoreDb.Protocol.MemberInfo.Types.VNodeState;

namespace Ledger.EventStore.EventStoreDb;

/// <summary>
/// Which node a call goes to (ADR/0006). One node named: that node, always. A cluster (several nodes named, or
/// <c>esdb+discover://</c>): the seeds are asked for the members through gossip, appends go to the leader, reads to the
/// leader or (<c>nodePreference=follower</c>) to a follower; a call that finds its node gone or no longer leader reports
/// it with <see cref="Lost"/>, and the next call asks gossip again (or goes straight to the leader a not-leader reply named).
/// </summary>
internal sealed class EventStoreDbNodes : IDisposable
{
    private readonly EventStoreDbConnectionString _settings;
    private readonly Dictionary<(string Host, int Port, bool RequiresLeader), EventStoreDbChannel> _channels = new();
    private readonly SemaphoreSlim _discovering = new(1, 1);
    private readonly Lock _gate = new();
    private EventStoreDbChannel? _leader;
    private EventStoreDbChannel? _reader;

    public EventStoreDbNodes(EventStoreDbConnectionString settings)
    {
        _settings = settings;
        if (!settings.IsCluster) _leader = _reader = Channel(settings.Host, settings.Port, requiresLeader: true);
    }

    /// <summary>How often the cluster's leader was looked up again after a node was lost (for tests and diagnostics).</summary>
    public int Rediscoveries { get; private set; }

    /// <summary>The node appends go to.</summary>
    public async ValueTask<EventStoreDbChannel> LeaderAsync(CancellationToken ct) =>
        Volatile.Read(ref _leader) ?? (await DiscoverAsync(ct)).Leader;

    /// <summary>The node reads go to: the leader unless the connection string prefers followers.</summary>
    public async ValueTask<EventStoreDbChannel> ReaderAsync(CancellationToken ct) =>
        Volatile.Read(ref _reader) ?? (await DiscoverAsync(ct)).Reader;

    /// <summary>
    /// A call on <paramref name="channel"/> failed in a way a cluster explains (the node is down, or no longer the
    /// leader): forget it, so the next call looks again. True when it is worth trying again (a cluster); a single node
    /// has nowhere else to go.
    /// </summary>
    public bool Lost(EventStoreDbChannel channel, RpcException error)
    {
        // Aborted is the server timing out a write on a node that is still leader: the caller retries it there.
        if (!_settings.IsCluster || !EventStoreDbErrors.IsTransient(error) || error.StatusCode == StatusCode.Aborted) return false;
        lock (_gate)
        {
            // A not-leader reply names the leader: go there directly.
            if (EventStoreDbErrors.Key(error) == EventStoreDbErrors.NotLeader
                && error.Trailers.GetValue(EventStoreDbErrors.LeaderEndpointHost) is { Length: > 0 } host
                && int.TryParse(error.Trailers.GetValue(EventStoreDbErrors.LeaderEndpointPort), out var port))
                _leader = Channel(host, port, requiresLeader: true);
            else if (ReferenceEquals(_leader, channel))
                _leader = null;
            if (_settings.NodePreference == NodePreference.Leader) _reader = _leader;
            else if (ReferenceEquals(_reader, channel)) _reader = null;
        }
        return true;
    }

    private async Task<(EventStoreDbChannel Leader, EventStoreDbChannel Reader)> DiscoverAsync(CancellationToken ct)
    {
        await _discovering.WaitAsync(ct);
        try
        {
            lock (_gate)
                if (_leader is { } knownLeader && _reader is { } knownReader) return (knownLeader, knownReader);
            var errors = new List<string>();
            foreach (var seed in await SeedsAsync(ct))
            {
                ClusterInfo members;
                try
                {
                    var channel = Channel(seed.Host, seed.Port, requiresLeader: false);
                    members = await channel.Gossip.ReadAsync(new Empty(), new CallOptions(deadline: DateTime.UtcNow + _settings.DefaultDeadline, cancellationToken: ct));
                }
                catch (RpcException e) when (!ct.IsCancellationRequested)
                {
                    errors.Add($"{seed.Host}:{seed.Port}: {e.Status.Detail}");
                    continue;
                }
                var alive = members.Members.Where(m => m.IsAlive && m.HttpEndPoint is not null).ToList();
                if (alive.FirstOrDefault(m => m.State == VNodeState.Leader) is not { } leaderMember)
                {
                    errors.Add($"{seed.Host}:{seed.Port}: no leader among {alive.Count} live member(s) yet");
                    continue;
                }
                var leader = Channel(leaderMember.HttpEndPoint.Address, (int)leaderMember.HttpEndPoint.Port, requiresLeader: true);
                var reader = leader;
                if (_settings.NodePreference == NodePreference.Follower
                    && alive.Where(m => m.State == VNodeState.Follower).OrderBy(_ => Random.Shared.Next()).FirstOrDefault() is { } follower)
                    reader = Channel(follower.HttpEndPoint.Address, (int)follower.HttpEndPoint.Port, requiresLeader: false);
                lock (_gate)
                {
                    (_leader, _reader) = (leader, reader);
                    Rediscoveries++;
                }
                return (leader, reader);
            }
            throw new EventStoreDbUnavailableException(
                $"No EventStoreDB leader found through gossip ({string.Join("; ", errors)}). The cluster may be electing one; the call can be tried again.",
                EventStoreDbErrors.NotLeader, null);
        }
        finally
        {
            _discovering.Release();
        }
    }

    /// <summary>The nodes named, in an order of their own each time (so one slow seed does not always answer first); with discovery, every address the name resolves to.</summary>
    private async Task<List<(string Host, int Port)>> SeedsAsync(CancellationToken ct)
    {
        var named = _settings.Nodes.Count == 0 ? [(_settings.Host, _settings.Port)] : _settings.Nodes.ToList();
        if (!_settings.Discover) return named.OrderBy(_ => Random.Shared.Next()).ToList();
        var seeds = new List<(string Host, int Port)>();
        foreach (var (host, port) in named)
        {
            try
            {
                seeds.AddRange((await Dns.GetHostAddressesAsync(host, ct)).Select(a => (a.ToString(), port)));
            }
            catch (System.Net.Sockets.SocketException)
            {
                seeds.Add((host, port)); // the name did not resolve now; the gossip call says why
            }
        }
        return seeds.OrderBy(_ => Random.Shared.Next()).ToList();
    }

    private EventStoreDbChannel Channel(string host, int port, bool requiresLeader)
    {
        lock (_channels)
        {
            if (!_channels.TryGetValue((host, port, requiresLeader), out var channel))
                _channels[(host, port, requiresLeader)] = channel = new EventStoreDbChannel(_settings, host, port, requiresLeader);
            return channel;
        }
    }

    public void Dispose()
    {
        lock (_channels)
            foreach (var channel in _channels.Values) channel.Dispose();
    }
}
