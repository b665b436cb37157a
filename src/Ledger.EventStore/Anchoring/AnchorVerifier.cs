namespace Ledger.EventStore.Anchoring;

public enum AnchorFindingKind
{
    /// <summary>The anchor directory holds no anchor: nothing to prove against.</summary>
    NoAnchors,
    /// <summary>An anchor file does not read as an anchor.</summary>
    AnchorUnreadable,
    /// <summary>An anchor's signature does not verify under the public key it names, or the key id does not match that key.</summary>
    SignatureInvalid,
    /// <summary>An anchor is signed by a key the auditor did not name as trusted.</summary>
    KeyNotTrusted,
    /// <summary>An anchor's heads do not hash to its Merkle root, or their count differs from the signed one: the heads were edited.</summary>
    MerkleRootMismatch,
    /// <summary>An anchor does not name the previous anchor file's hash, or a sequence number is missing: an anchor was removed or edited.</summary>
    AnchorChainBroken,
    /// <summary>A stream an anchor recorded has no event left: the stream was deleted.</summary>
    StreamGone,
    /// <summary>A stream ends before the revision an anchor recorded as its head: its newest event(s) were removed.</summary>
    HeadGone,
    /// <summary>The event at an anchored head's revision has another hash: it was replaced (a forged, re-chained tail) or edited.</summary>
    HeadChanged,
}

public sealed record AnchorFinding(AnchorFindingKind Kind, string Subject, string Detail);

public sealed record AnchorReport(int AnchorsChecked, long? LatestSequence, int HeadsChecked, IReadOnlyList<string> KeyIds, IReadOnlyList<AnchorFinding> Findings)
{
    public bool Intact => Findings.Count == 0;
}

/// <summary>
/// Proves that the event store still holds every head the anchors recorded (ADR/0025): the anchors' own chain, signatures
/// and Merkle roots first, then, in one pass over the global order, each anchored (stream, revision) still there with the
/// same hash. What the hash chain cannot see shows here: a removed newest event, a tail replaced by correctly re-chained
/// events, a deleted stream. Nothing throws on a bad file or a bad event: each is a finding.
/// </summary>
public sealed class AnchorVerifier(IEventStore store)
{
    public async Task<AnchorReport> VerifyAsync(AnchorLog log, IReadOnlySet<string>? trustedKeyIds = null, CancellationToken ct = default)
    {
        var findings = new List<AnchorFinding>();
        var files = log.Read();
        if (files.Count == 0)
            return new AnchorReport(0, null, 0, [], [new AnchorFinding(AnchorFindingKind.NoAnchors, log.Directory, $"No anchor file in {log.Directory}.")]);

        // (stream, revision) → the hash every anchor that recorded it agrees on, and the first anchor that did.
        var wanted = new Dictionary<(string Stream, long Revision), (string Hash, long Sequence)>();
        var keyIds = new SortedSet<string>(StringComparer.Ordinal);
        AnchorFile? previous = null;
        foreach (var file in files)
        {
            var subject = Path.GetFileName(file.Path);
            if (previous is not null && file.Sequence != previous.Sequence + 1)
                findings.Add(new AnchorFinding(AnchorFindingKind.AnchorChainBroken, subject, $"Anchor {file.Sequence} follows anchor {previous.Sequence}: {file.Sequence - previous.Sequence - 1} anchor(s) missing."));
            if (file.Anchor is not { } anchor)
            {
                findings.Add(new AnchorFinding(AnchorFindingKind.AnchorUnreadable, subject, file.Unreadable ?? "unreadable"));
                previous = file;
                continue;
            }
            if (previous is not null && anchor.PreviousAnchor != previous.FileHash)
                findings.Add(new AnchorFinding(AnchorFindingKind.AnchorChainBroken, subject,
                    $"Names {anchor.PreviousAnchor ?? "no previous anchor"} as the previous anchor, but {Path.GetFileName(previous.Path)} hashes to {previous.FileHash}."));
            previous = file;
            if (CheckSignature(anchor, subject, trustedKeyIds) is { } bad)
            {
                findings.Add(bad);
                continue; // heads nobody can vouch for prove nothing
            }
            keyIds.Add(anchor.Signature.KeyId);
            if (MerkleTree.Root(anchor.Heads) != anchor.MerkleRoot || anchor.Heads.Count != anchor.StreamCount)
            {
                findings.Add(new AnchorFinding(AnchorFindingKind.MerkleRootMismatch, subject,
                    $"{anchor.Heads.Count} head(s) hash to {MerkleTree.Root(anchor.Heads)}, but the signed root is {anchor.MerkleRoot} over {anchor.StreamCount}."));
                continue;
            }
            foreach (var head in anchor.Heads)
            {
                if (!wanted.TryGetValue((head.StreamId, head.Revision), out var seen))
                    wanted[(head.StreamId, head.Revision)] = (head.Hash, anchor.Sequence);
                else if (seen.Hash != head.Hash)
                    findings.Add(new AnchorFinding(AnchorFindingKind.HeadChanged, head.StreamId,
                        $"Anchor {seen.Sequence} recorded revision {head.Revision} as {Short(seen.Hash)}, anchor {anchor.Sequence} as {Short(head.Hash)}."));
            }
        }

        var anchoredStreams = wanted.Keys.Select(k => k.Stream).ToHashSet(StringComparer.Ordinal);
        var lastRevision = new Dictionary<string, long>(StringComparer.Ordinal);
        var found = new Dictionary<(string Stream, long Revision), string>();
        await foreach (var e in store.ReadEverythingAsync(ct))
        {
            if (!anchoredStreams.Contains(e.StreamId)) continue;
            lastRevision[e.StreamId] = Math.Max(e.Revision, lastRevision.GetValueOrDefault(e.StreamId, -1));
            if (wanted.ContainsKey((e.StreamId, e.Revision))) found[(e.StreamId, e.Revision)] = e.Hash;
        }

        // One finding per stream: the first anchored head (lowest revision) that no longer holds.
        foreach (var group in wanted.GroupBy(w => w.Key.Stream).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var stream = group.Key;
            foreach (var (key, (hash, sequence)) in group.OrderBy(w => w.Key.Revision))
            {
                AnchorFinding? finding = null;
                if (!lastRevision.ContainsKey(stream))
                    finding = new AnchorFinding(AnchorFindingKind.StreamGone, stream,
                        $"Anchor {sequence} recorded its head at revision {key.Revision}; the store holds no event of it.");
                else if (!found.TryGetValue(key, out var stored))
                    finding = new AnchorFinding(AnchorFindingKind.HeadGone, stream, lastRevision[stream] < key.Revision
                        ? $"Anchor {sequence} recorded its head at revision {key.Revision}; its last event now is revision {lastRevision[stream]}: {key.Revision - lastRevision[stream]} newest event(s) removed."
                        : $"Anchor {sequence} recorded its head at revision {key.Revision}; no event of that revision is left.");
                else if (stored != hash)
                    finding = new AnchorFinding(AnchorFindingKind.HeadChanged, stream,
                        $"Anchor {sequence} recorded revision {key.Revision} as {Short(hash)}; the stored event hashes to {Short(stored)}: it was replaced or edited after the anchor.");
                if (finding is null) continue;
                findings.Add(finding);
                break;
            }
        }
        return new AnchorReport(files.Count, files[^1].Sequence, wanted.Count, keyIds.ToList(), findings);
    }

    private static AnchorFinding? CheckSignature(Anchor anchor, string subject, IReadOnlySet<string>? trustedKeyIds)
    {
        byte[] publicKey, signature;
        try
        {
            publicKey = Convert.FromBase64String(anchor.Signature.PublicKey ?? "");
            signature = Convert.FromBase64String(anchor.Signature.Value ?? "");
        }
        catch (FormatException)
        {
            return new AnchorFinding(AnchorFindingKind.SignatureInvalid, subject, "The public key or signature is not base64.");
        }
        if (anchor.Signature.Algorithm != AnchorKey.Algorithm)
            return new AnchorFinding(AnchorFindingKind.SignatureInvalid, subject, $"Signed with '{anchor.Signature.Algorithm}', not {AnchorKey.Algorithm}.");
        if (AnchorKey.IdOf(publicKey) != anchor.Signature.KeyId)
            return new AnchorFinding(AnchorFindingKind.SignatureInvalid, subject, $"Key id {anchor.Signature.KeyId} is not the id of the public key it carries ({AnchorKey.IdOf(publicKey)}).");
        if (trustedKeyIds is not null && !trustedKeyIds.Contains(anchor.Signature.KeyId))
            return new AnchorFinding(AnchorFindingKind.KeyNotTrusted, subject, $"Signed by key {anchor.Signature.KeyId}, not one of {string.Join(", ", trustedKeyIds)}.");
        if (!AnchorKey.Verify(publicKey, anchor.SignedBytes(), signature))
            return new AnchorFinding(AnchorFindingKind.SignatureInvalid, subject, $"The signature does not verify under key {anchor.Signature.KeyId}.");
        return null;
    }

    private static string Short(string hash) => hash.Length == 0 ? "(nothing)" : hash[..Math.Min(12, hash.Length)];
}
