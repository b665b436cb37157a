using System.Security.Cryptography;
using System.Text.Json;
using Ledger.Api.Security;
using Spectre.Console;

namespace Ledger.Cli;

public sealed record LocalClient(string Name, string Role, string? Crm, string Key);

/// <summary>
/// API clients for the local ledger: one per role (and one per demo CRM), with random keys made on the first
/// <c>ledger up</c> and kept in <c>.ledger/clients.json</c>, so a newcomer can call the API at once.
/// </summary>
public static class LocalClients
{
    public static async Task<IReadOnlyList<LocalClient>> LoadOrCreateAsync(string file)
    {
        if (File.Exists(file))
        {
            // A file from before keys were kept owner-only (it was 0644) is narrowed on the next run.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, ApiClientsFile.OwnerOnly);
            return JsonSerializer.Deserialize<List<LocalClient>>(await File.ReadAllTextAsync(file), JsonSerializerOptions.Web) ?? [];
        }
        var clients = new List<LocalClient>
        {
            New("salesforce", "crm", "salesforce"), New("hubspot", "crm", "hubspot"), New("dynamics", "crm", "dynamics"),
            New("partner-portal", "crm", "partner-portal"), New("approvals", "approver", null), New("finance", "finance", null),
            New("auditor", "auditor", null), New("billing", "billing", null), New("stewards", "admin", null),
        };
        await ApiClientsFile.WritePrivateAsync(file, JsonSerializer.Serialize(clients, new JsonSerializerOptions(JsonSerializerOptions.Web) { WriteIndented = true }));
        return clients;
    }

    /// <summary>
    /// What the API is told about the clients (ADR/0023): the path of a file of key hashes (<paramref name="hashesFile"/>, written
    /// here, owner-only) and each approver's levels; never a key, so none sits in the API process's environment.
    /// </summary>
    public static async Task<IReadOnlyList<(string Name, string Value)>> AsConfigurationAsync(IReadOnlyList<LocalClient> clients, string hashesFile)
    {
        await ApiClientsFile.WriteAsync(hashesFile, clients.Select(c => new ApiClientsFile.Entry(c.Name, c.Role, c.Crm, ApiClientsFile.Sha256Hex(c.Key))));
        var configuration = new List<(string, string)> { ("Ledger__ClientsFile", hashesFile) };
        foreach (var c in clients)
        {
            // Environment names reach the API through /bin/sh, which drops names that are not shell names ('partner-portal').
            var name = c.Name.Replace('-', '_');
            // The local approver decides every level, as itself (ADR/0023); a real deployment names its approvers and their levels.
            if (c.Role == "approver") configuration.Add(($"Ledger__Approvers__{name}__Levels", "DealDesk,VicePresident,Cfo"));
        }
        return configuration;
    }

    public static void Print(IEnumerable<LocalClient> clients, string file)
    {
        // Plain lines rather than a table: keys are meant to be copied, and a narrow terminal would wrap them.
        Console.WriteLine("API clients (Authorization: Bearer <key>):");
        foreach (var c in clients)
            Console.WriteLine($"  {c.Name,-15} {(c.Crm is null ? c.Role : $"{c.Role} ({c.Crm})"),-22} {c.Key}");
        AnsiConsole.MarkupLineInterpolated($"[grey]Local keys only, kept in {file}.[/]");
    }

    private static LocalClient New(string name, string role, string? crm) =>
        new(name, role, crm, $"{name}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}");
}
