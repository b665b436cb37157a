using Ledger.Application;
using Ledger.EventStore;
using Ledger.EventStore.Anchoring;
using Npgsql;
using NodaTime;

namespace Ledger.Api.Anchors;

/// <summary>
/// <c>Ledger:Anchors:Directory</c> (the anchor log), <c>Ledger:Anchors:KeyFile</c> (the PEM ECDSA P-256 key that signs it)
/// and <c>Ledger:Anchors:IntervalMinutes</c> (anchor every so often; off when absent or 0). Anchoring needs the first two.
/// </summary>
public sealed record AnchorSettings(string? Directory, string? KeyFile, TimeSpan? Interval)
{
    public bool Configured => Directory is { Length: > 0 } && KeyFile is { Length: > 0 };

    public static AnchorSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Ledger:Anchors");
        var minutes = section.GetValue("IntervalMinutes", 0.0);
        return new AnchorSettings(section["Directory"], section["KeyFile"], minutes > 0 ? TimeSpan.FromMinutes(minutes) : null);
    }
}

/// <summary>
/// Writes anchors of every stream's head (ADR/0025). The key file is read on every anchor, so a rotated key (a new file in
/// its place) signs the next anchor without a restart; each anchor names its key id.
/// </summary>
public sealed class ChainAnchoring(AnchorSettings settings, IEventStore store, Ledger.Application.Reactions.ReactionStore flushes, IClock clock)
{
    private readonly SemaphoreSlim _one = new(1, 1);

    public AnchorSettings Settings => settings;

    public async Task<AnchorFile> AnchorNowAsync(CancellationToken ct)
    {
        if (!settings.Configured) throw new InvalidOperationException("Anchoring is not configured: set Ledger:Anchors:Directory and Ledger:Anchors:KeyFile.");
        await _one.WaitAsync(ct);
        try
        {
            using var key = AnchorKey.Load(settings.KeyFile!);
            // Reactions commit without waiting for the flush (ADR/0027): a head is signed only once it is on disk.
            await flushes.FlushCommittedAsync(ct);
            return await new AnchorLog(settings.Directory!).AppendAsync(store, key, clock.GetCurrentInstant(), ct);
        }
        finally
        {
            _one.Release();
        }
    }
}

/// <summary>Anchors every <see cref="AnchorSettings.Interval"/> on one node at a time (the leader of its advisory lock).</summary>
public sealed class PeriodicAnchoring(ChainAnchoring anchoring, NpgsqlDataSource db, ILogger<PeriodicAnchoring> log) : BackgroundService
{
    private const long LeaderLock = 0x6c65646765722d61; // "ledger-a"

    protected override Task ExecuteAsync(CancellationToken stopping) =>
        Leadership.RunWhileLeaderAsync(db, LeaderLock, RunAsync, log, "Periodic anchoring stopped; it starts again with the next anchor.", stopping);

    private async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(anchoring.Settings.Interval!.Value);
        while (await timer.WaitForNextTickAsync(ct))
        {
            var written = await anchoring.AnchorNowAsync(ct);
            log.LogInformation("Anchor {Sequence}: {Streams} stream head(s), Merkle root {Root}, key {KeyId}", written.Sequence,
                written.Anchor!.StreamCount, written.Anchor.MerkleRoot, written.Anchor.Signature.KeyId);
        }
    }
}
