using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ledger.Api.Console;

/// <summary>Signs out of the console. Authorized by the console cookie, so the form's antiforgery token matches the person it was made for.</summary>
[Authorize(AuthenticationSchemes = ConsoleAuthentication.SchemeName)]
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/SignIn");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(ConsoleAuthentication.SchemeName);
        return RedirectToPage("/SignIn");
    }
}
