using System.Security.Cryptography;
using System.Text;

namespace Ledger.Api.Security;

/// <summary>
/// One configured API client (<c>Ledger:Clients:&lt;name&gt;</c>): its key, given as <c>KeySha256</c> (hex) or, for
/// local use, as <c>Key</c>; its role; and, for a CRM integration, its CRM.
/// </summary>
public sealed class ApiClient
{
    public string Name { get; set; } = "";
    public string? Key { get; set; }
    public string? KeySha256 { get; set; }
    public string Role { get; set; } = "";
    public string? Crm { get; set; }

    public byte[] KeyHash() =>
        KeySha256 is { Length: > 0 } hex ? Convert.FromHexString(hex)
        : Key is { Length: > 0 } key ? SHA256.HashData(Encoding.UTF8.GetBytes(key))
        : throw new InvalidOperationException($"API client '{Name}' has neither Key nor KeySha256.");
}

/// <summary>The configured clients, checked once at start-up so that a typo fails fast rather than per request.</summary>
public sealed class ApiClients
{
    private readonly IReadOnlyList<(ApiClient Client, byte[] Hash)> _clients;

    public ApiClients(IConfiguration configuration)
    {
        var clients = new List<(ApiClient, byte[])>();
        var configured = configuration.GetSection("Ledger:Clients").GetChildren().Select(Configured);
        // Clients from a file of key hashes (ADR/0023): how `ledger up` keeps keys out of the API's environment.
        var fromFile = configuration["Ledger:ClientsFile"] is { Length: > 0 } file ? ApiClientsFile.Read(file) : [];
        foreach (var client in configured.Concat(fromFile))
        {
            if (!LedgerRoles.All.Contains(client.Role))
                throw new InvalidOperationException(
                    $"API client '{client.Name}' has role '{client.Role}'; roles are {string.Join(", ", LedgerRoles.All)}.");
            if (client.Role == LedgerRoles.Crm && string.IsNullOrWhiteSpace(client.Crm))
                throw new InvalidOperationException($"API client '{client.Name}' is a CRM integration but names no Crm.");
            clients.Add((client, client.KeyHash()));
        }
        _clients = clients;
    }

    private static ApiClient Configured(IConfigurationSection section)
    {
        var client = section.Get<ApiClient>() ?? new ApiClient();
        client.Name = section.Key;
        return client;
    }

    public ApiClient? Find(string presentedKey)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey));
        ApiClient? found = null;
        // Compare against every client in fixed time, so timing says nothing about which keys exist.
        foreach (var (client, expected) in _clients)
            if (CryptographicOperations.FixedTimeEquals(hash, expected)) found = client;
        return found;
    }
}
