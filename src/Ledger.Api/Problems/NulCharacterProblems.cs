namespace Ledger.Api.Problems;

/// <summary>
/// PostgreSQL stores no NUL character (U+0000) in text or jsonb: a body carrying one, in any field, is refused here as a
/// 400 problem before any command runs, instead of failing at the append with a 500 (issue 18). Raw or escaped
/// (<c>\u0000</c>), in any JSON body.
/// </summary>
public static class NulCharacterProblems
{
    public static IApplicationBuilder UseNulCharacterProblems(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.Request.ContentLength is not 0 && context.Request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true)
            {
                context.Request.EnableBuffering();
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body, context.RequestAborted);
                context.Request.Body.Position = 0;
                if (HasNul(body.GetBuffer().AsSpan(0, (int)body.Length)))
                {
                    var field = FieldWithNul(body.ToArray());
                    await LedgerProblems.Write(context, StatusCodes.Status400BadRequest, "request.nul-character",
                        $"Text cannot hold the NUL character (U+0000): remove it from {(field is null ? "the body" : $"'{field}'")}.", field);
                    return;
                }
            }
            await next();
        });

    /// <summary>The path of the first string (or property name) holding a NUL, when the body parses as JSON.</summary>
    private static string? FieldWithNul(byte[] json)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json, new System.Text.Json.JsonDocumentOptions { MaxDepth = 64 });
            return Find(document.RootElement, "");
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }

        static string? Find(System.Text.Json.JsonElement element, string path) => element.ValueKind switch
        {
            System.Text.Json.JsonValueKind.String => element.GetString()!.Contains('\0') ? path : null,
            System.Text.Json.JsonValueKind.Object => element.EnumerateObject()
                .Select(p => p.Name.Contains('\0') ? (path.Length == 0 ? "?" : path) : Find(p.Value, path.Length == 0 ? p.Name : $"{path}.{p.Name}"))
                .FirstOrDefault(f => f is not null),
            System.Text.Json.JsonValueKind.Array => element.EnumerateArray().Select((e, i) => Find(e, $"{path}[{i}]")).FirstOrDefault(f => f is not null),
            _ => null,
        };
    }

    private static bool HasNul(ReadOnlySpan<byte> json)
    {
        if (json.IndexOf((byte)0) >= 0) return true;
        for (var at = json.IndexOf("\\u"u8); at >= 0 && at + 6 <= json.Length; )
        {
            // An escaped backslash before it makes it text ("\\u0000"), not an escape.
            var backslashes = 0;
            for (var i = at - 1; i >= 0 && json[i] == '\\'; i--) backslashes++;
            if (backslashes % 2 == 0 && json.Slice(at + 2, 4).SequenceEqual("0000"u8)) return true;
            var next = json[(at + 2)..].IndexOf("\\u"u8);
            at = next < 0 ? -1 : at + 2 + next;
        }
        return false;
    }
}
