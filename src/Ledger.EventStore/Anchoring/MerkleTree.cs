using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ledger.EventStore.Anchoring;

/// <summary>
/// The Merkle tree hash of RFC 6962 §2.1 (Certificate Transparency) over stream heads: a leaf is
/// sha-256(0x00 ‖ "streamId\nrevision\nhash"), a node sha-256(0x01 ‖ left ‖ right), split at the largest power of two
/// below the count. The domain-separating prefixes keep a leaf from passing for a node. Heads go in ordinal order of
/// stream id, so anyone holding the heads gets the same root.
/// </summary>
public static class MerkleTree
{
    public static string Root(IReadOnlyList<StreamHead> heads)
    {
        if (heads.Count == 0) return Convert.ToHexStringLower(SHA256.HashData([]));
        var leaves = heads.Select(Leaf).ToArray();
        return Convert.ToHexStringLower(Node(leaves));
    }

    public static byte[] Leaf(StreamHead head) =>
        SHA256.HashData([0x00, .. Encoding.UTF8.GetBytes($"{head.StreamId}\n{head.Revision.ToString(CultureInfo.InvariantCulture)}\n{head.Hash}")]);

    private static byte[] Node(ReadOnlySpan<byte[]> leaves)
    {
        if (leaves.Length == 1) return leaves[0];
        var split = 1;
        while (split * 2 < leaves.Length) split *= 2;
        return SHA256.HashData([0x01, .. Node(leaves[..split]), .. Node(leaves[split..])]);
    }
}
