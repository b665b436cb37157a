using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ledger.EventStore.Anchoring;

/// <summary>How an anchor is signed: the algorithm, which key (its id and its public key, SubjectPublicKeyInfo in base64), and the signature in base64.</summary>
public sealed record AnchorSignature(string Algorithm, string KeyId, string PublicKey, string Value);

/// <summary>
/// One signed statement "at <see cref="AnchoredAt"/> every stream of the ledger ended with these heads" (ADR/0025). The
/// signature covers <see cref="SignedText"/>: format, sequence, instant, the previous anchor's file hash, the Merkle root
/// of the heads and their count; the heads are bound through the root. <see cref="PreviousAnchor"/> is sha-256 over the
/// previous anchor file's bytes, so the anchors form a chain of their own and one removed from the middle shows.
/// </summary>
public sealed record Anchor(
    string Format,
    long Sequence,
    string AnchoredAt,
    string? PreviousAnchor,
    string MerkleRoot,
    int StreamCount,
    IReadOnlyList<StreamHead> Heads,
    AnchorSignature Signature)
{
    public const string CurrentFormat = "ledger-anchor.v1";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string SignedText(string format, long sequence, string anchoredAt, string? previousAnchor, string merkleRoot, int streamCount) =>
        string.Join('\n', format, sequence.ToString(CultureInfo.InvariantCulture), anchoredAt, previousAnchor ?? "", merkleRoot,
            streamCount.ToString(CultureInfo.InvariantCulture));

    public byte[] SignedBytes() => Encoding.UTF8.GetBytes(SignedText(Format, Sequence, AnchoredAt, PreviousAnchor, MerkleRoot, StreamCount));

    public static Anchor Sign(long sequence, string anchoredAt, string? previousAnchor, IReadOnlyList<StreamHead> heads, AnchorKey key)
    {
        var root = MerkleTree.Root(heads);
        var payload = Encoding.UTF8.GetBytes(SignedText(CurrentFormat, sequence, anchoredAt, previousAnchor, root, heads.Count));
        return new Anchor(CurrentFormat, sequence, anchoredAt, previousAnchor, root, heads.Count, heads,
            new AnchorSignature(AnchorKey.Algorithm, key.KeyId, Convert.ToBase64String(key.PublicKey), Convert.ToBase64String(key.Sign(payload))));
    }
}
