using Ledger.Api.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ledger.Api.Console;

[AllowAnonymous]
public sealed class SignInModel(ApiClients clients) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public string? Refused { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(string? key)
    {
        if (key is not { Length: > 0 } || ConsoleAuthentication.PrincipalFor(clients, key) is not { } principal)
        {
            Refused = "That key is not one of the ledger's clients.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        await HttpContext.SignInAsync(ConsoleAuthentication.SchemeName, principal);
        return LocalRedirect(ReturnUrl is { } url && Url.IsLocalUrl(url) && url.StartsWith("/console", StringComparison.Ordinal) ? url : "/console");
    }
}
