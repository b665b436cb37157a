using System.Security.Claims;
using Ledger.Api.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ledger.Api.Console;

/// <summary>Where a signed-in person lands on a page of another role: answered 403, like the API would.</summary>
[AllowAnonymous]
public sealed class DeniedModel : PageModel
{
    public string? Role { get; private set; }
    public string? Crm { get; private set; }

    public async Task OnGetAsync()
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        var session = await HttpContext.AuthenticateAsync(ConsoleAuthentication.SchemeName);
        Role = session.Principal?.FindFirst(ClaimTypes.Role)?.Value;
        Crm = session.Principal?.Crm();
    }
}
