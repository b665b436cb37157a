using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ledger.Api.Security;

/// <summary>
/// API clients as a file the API reads (<c>Ledger:ClientsFile</c>): name, role, CRM and the SHA-256 of the key, never
/// the key. <c>ledger up</c> writes it (owner-only, 0600) and passes its path, so no key sits in the API's environment
/// or configuration (ADR/0023). Keys are 128 random bits, so one unsalted SHA-256 is enough: nothing can be guessed.
/// </summary>
public static class ApiClientsFile
{
    public sealed record Entry(string Name, string Role, string? Crm, string KeySha256);

    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string Sha256Hex(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static IReadOnlyList<ApiClient> Read(string path) =>
        (JsonSerializer.Deserialize<List<Entry>>(File.ReadAllText(path), JsonSerializerOptions.Web) ?? [])
        .Select(e => new ApiClient { Name = e.Name, Role = e.Role, Crm = e.Crm, KeySha256 = e.KeySha256 }).ToList();

    public static Task WriteAsync(string path, IEnumerable<Entry> entries) =>
        WritePrivateAsync(path, JsonSerializer.Serialize(entries, new JsonSerializerOptions(JsonSerializerOptions.Web) { WriteIndented = true }));

    /// <summary>Writes a file only its owner may read, created so (never world-readable, not even for an instant) or narrowed if it existed.</summary>
    public static async Task WritePrivateAsync(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        await using (var stream = new FileStream(path, options))
        await using (var writer = new StreamWriter(stream))
            await writer.WriteAsync(text);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, OwnerOnly);
    }
}
