using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;

namespace Ledger.EventStore.Anchoring;

/// <summary>One file of the anchor log: its name, its bytes' sha-256, and the anchor when the bytes read as one.</summary>
public sealed record AnchorFile(string Path, long Sequence, string FileHash, Anchor? Anchor, string? Unreadable);

/// <summary>
/// The anchor log: a directory of signed JSON files, <c>anchor-00000001.json</c>, <c>anchor-00000002.json</c>, … outside the
/// database (ADR/0025). A file is never rewritten: each new anchor is written beside the others under the next sequence,
/// created only if that name is free, so two writers cannot both claim one sequence.
/// </summary>
public sealed class AnchorLog(string directory)
{
    private const string Prefix = "anchor-";

    public string Directory => directory;

    /// <summary>Computes every stream's head now, signs them with <paramref name="key"/> and writes the next anchor.</summary>
    public async Task<AnchorFile> AppendAsync(IEventStore store, AnchorKey key, Instant now, CancellationToken ct = default)
    {
        var heads = await ChainHeads.ReadAsync(store, ct);
        System.IO.Directory.CreateDirectory(directory);
        for (var attempt = 0; ; attempt++)
        {
            var latest = Read().LastOrDefault();
            var sequence = (latest?.Sequence ?? 0) + 1;
            var anchor = Anchor.Sign(sequence, InstantPattern.ExtendedIso.Format(now), latest?.FileHash, heads, key);
            var bytes = JsonSerializer.SerializeToUtf8Bytes(anchor, Anchor.Json);
            var path = Path.Combine(directory, FileName(sequence));
            var temporary = Path.Combine(directory, $".{FileName(sequence)}.{Guid.NewGuid():N}.tmp");
            await File.WriteAllBytesAsync(temporary, bytes, ct);
            try
            {
                File.Move(temporary, path, overwrite: false);
                return new AnchorFile(path, sequence, Hash(bytes), anchor, null);
            }
            catch (IOException) when (File.Exists(path) && attempt < 10)
            {
                File.Delete(temporary); // another writer took this sequence: chain onto theirs
            }
        }
    }

    /// <summary>Every anchor file in sequence order; a file that does not read as an anchor is handed out with why.</summary>
    public IReadOnlyList<AnchorFile> Read()
    {
        if (!System.IO.Directory.Exists(directory)) return [];
        var files = new List<AnchorFile>();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, Prefix + "*.json"))
        {
            var name = Path.GetFileNameWithoutExtension(path)[Prefix.Length..];
            if (!long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)) continue;
            var bytes = File.ReadAllBytes(path);
            Anchor? anchor = null;
            string? unreadable = null;
            try
            {
                anchor = JsonSerializer.Deserialize<Anchor>(bytes, Anchor.Json);
                if (anchor?.Signature is null || anchor.Heads is null || anchor.MerkleRoot is null) unreadable = "not an anchor (fields missing)";
            }
            catch (JsonException e)
            {
                unreadable = $"not JSON: {e.Message}";
            }
            files.Add(new AnchorFile(path, sequence, Hash(bytes), unreadable is null ? anchor : null, unreadable));
        }
        return files.OrderBy(f => f.Sequence).ToList();
    }

    public static string FileName(long sequence) => $"{Prefix}{sequence.ToString("D8", CultureInfo.InvariantCulture)}.json";

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
