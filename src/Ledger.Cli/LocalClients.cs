using System.Security.Cryptography;
using System.Text.Json;
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
            return JsonSerializer.Deserialize<List<LocalClient>>(await File.ReadAllTextAsync(file), JsonSerializerOptions.Web) ?? [];
        var clients = new List<LocalClient>
        {
            New("salesforce", "crm", "salesforce"), New("hubspot", "crm", "hubspot"), New("dynamics", "crm", "dynamics"),
            New("partner-portal", "crm", "partner-portal"), New("approvals", "approver", null), New("finance", "finance", null),
            New("auditor", "auditor", null), New("billing", "billing", null), New("stewards", "admin", null),
        };
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(clients, new JsonSerializerOptions(JsonSerializerOptions.Web) { WriteIndented = true }));
        return clients;
    }

    /// <summary>The clients as environment variables in ASP.NET's configuration syntax (<c>Ledger__Clients__name__Key</c>).</summary>
    public static IEnumerable<(string Name, string Value)> AsConfiguration(IEnumerable<LocalClient> clients)
    {
        foreach (var c in clients)
        {
            // The API starts through /bin/sh, which drops variables whose names are not shell names: 'partner-portal' would
            // never reach it (its key answered 401). The client's name in the API is 'partner_portal'; its CRM keeps its hyphen.
            var name = c.Name.Replace('-', '_');
            yield return ($"Ledger__Clients__{name}__Key", c.Key);
            yield return ($"Ledger__Clients__{name}__Role", c.Role);
            if (c.Crm is not null) yield return ($"Ledger__Clients__{name}__Crm", c.Crm);
            // The local approver decides every level, as itself (ADR/0023); a real deployment names its approvers and their levels.
            if (c.Role == "approver") yield return ($"Ledger__Approvers__{name}__Levels", "DealDesk,VicePresident,Cfo");
        }
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
