using System.Security.Cryptography;

namespace Ledger.EventStore.Anchoring;

/// <summary>
/// The key anchors are signed with: ECDSA on P-256 with SHA-256 (JOSE's ES256), .NET's own cryptography. .NET 10 has no
/// Ed25519 of its own (only inside a post-quantum composite), and we add no package for it (ADR/0025). The key id is the
/// first 16 hex digits of sha-256 over the public key (SubjectPublicKeyInfo), so a rotated key is told apart by itself.
/// </summary>
public sealed class AnchorKey : IDisposable
{
    public const string Algorithm = "ES256";

    private readonly ECDsa _key;

    private AnchorKey(ECDsa key)
    {
        _key = key;
        PublicKey = key.ExportSubjectPublicKeyInfo();
        KeyId = IdOf(PublicKey);
    }

    public string KeyId { get; }
    public byte[] PublicKey { get; }

    /// <summary>The PEM private key in <paramref name="path"/> (PKCS#8 or SEC1, as <c>openssl ecparam -genkey</c> writes).</summary>
    public static AnchorKey Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidOperationException($"No anchor key at {path}.");
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidOperationException($"{path} holds no PEM ECDSA private key: {e.Message}");
        }
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new InvalidOperationException($"{path} holds a {key.KeySize}-bit key; anchors are signed on P-256.");
        }
        return new AnchorKey(key);
    }

    /// <summary>A new P-256 key written to <paramref name="path"/> (readable by its owner only), for a local ledger.</summary>
    public static AnchorKey Create(string path)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new AnchorKey(key);
    }

    public static AnchorKey LoadOrCreate(string path) => File.Exists(path) ? Load(path) : Create(path);

    public byte[] Sign(byte[] payload) => _key.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public static string IdOf(byte[] publicKey) => Convert.ToHexStringLower(SHA256.HashData(publicKey))[..16];

    /// <summary>Whether <paramref name="signature"/> is <paramref name="publicKey"/>'s over <paramref name="payload"/>; false for any key that does not import.</summary>
    public static bool Verify(byte[] publicKey, byte[] payload, byte[] signature)
    {
        using var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(publicKey, out _);
            return key.KeySize == 256 && key.VerifyData(payload, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public void Dispose() => _key.Dispose();
}
