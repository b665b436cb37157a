using Ledger.Api.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ledger.Api.Console;

/// <summary>What every console page shares: who is signed in, a fresh command key for its forms, and the outcome of the last action.</summary>
public abstract class ConsolePage : PageModel
{
    /// <summary>The idempotency key the page's forms carry (ConsoleCommands).</summary>
    public string CommandKey { get; } = ConsoleCommands.NewKey();

    [TempData] public string? Outcome { get; set; }
    [TempData] public bool OutcomeFailed { get; set; }

    public string ClientName => User.ClientName();
    public string? Crm => User.Crm();

    /// <summary>Keeps the outcome for the page the person is sent back to (post, redirect, get).</summary>
    protected IActionResult Back(ConsoleOutcome outcome, string what, object? routeValues = null)
    {
        Outcome = outcome.Succeeded ? $"{what}: {outcome.Message}" : $"{what} refused: {outcome.Message}";
        OutcomeFailed = !outcome.Succeeded;
        return RedirectToPage(null, routeValues);
    }
}
