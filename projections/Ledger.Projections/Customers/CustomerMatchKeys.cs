using System.Globalization;
using System.Text;

namespace Ledger.Projections.Customers;

/// <summary>
/// The keys two records of one company share despite spelling: "ACME Corp." and "Acme Corporation" are both
/// <c>name:acme</c>; "https://www.acme.com/" is <c>domain:acme.com</c>. Legal-form words and punctuation are noise.
/// </summary>
public static class CustomerMatchKeys
{
    private static readonly HashSet<string> LegalForms = new(StringComparer.Ordinal)
    {
        "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "llc", "llp", "lp", "plc", "gmbh", "ag", "sa", "sas",
        "sarl", "srl", "spa", "bv", "nv", "oy", "ab", "as", "kk", "pty", "pte", "group", "holding", "holdings", "the",
    };

    public static IReadOnlyList<string> For(string name, string? webDomain)
    {
        var keys = new List<string>();
        if (NormalizedName(name) is { Length: > 0 } n) keys.Add($"name:{n}");
        if (NormalizedDomain(webDomain) is { Length: > 0 } d) keys.Add($"domain:{d}");
        return keys;
    }

    public static string NormalizedName(string name)
    {
        var folded = new StringBuilder();
        foreach (var c in name.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            folded.Append(char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : c == '&' ? ' ' : ' ');
        }
        var words = folded.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !LegalForms.Contains(w)).ToList();
        return string.Join(' ', words);
    }

    public static string NormalizedDomain(string? webDomain)
    {
        var d = (webDomain ?? "").Trim().ToLowerInvariant();
        if (d.Contains("://")) d = d[(d.IndexOf("://", StringComparison.Ordinal) + 3)..];
        d = d.Split('/', '?', '#')[0].Split(':')[0].TrimEnd('.');
        return d.StartsWith("www.", StringComparison.Ordinal) ? d[4..] : d;
    }
}
