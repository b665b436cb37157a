using System.Security.Cryptography;
using System.Text;

namespace Ledger.Application.Commands;

/// <summary>
/// Name-based UUIDs (RFC 9562 version 5: SHA-1 over a namespace and a name). The same idempotency key always
/// gives the same event ids, so a retry after a crash is recognised by the event store instead of appended twice.
/// </summary>
public static class DeterministicGuid
{
    private static readonly Guid LedgerNamespace = new("6f1c2a4e-3b7d-5e9f-8a1b-2c3d4e5f6a7b");

    public static Guid Create(string name) => Create(LedgerNamespace, name);

    public static Guid Create(Guid @namespace, string name)
    {
        Span<byte> namespaceBytes = stackalloc byte[16];
        @namespace.TryWriteBytes(namespaceBytes, bigEndian: true, out _);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[16 + nameBytes.Length];
        namespaceBytes.CopyTo(input);
        nameBytes.CopyTo(input, 16);

        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(input, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC variant
        return new Guid(hash[..16], bigEndian: true);
    }
}
