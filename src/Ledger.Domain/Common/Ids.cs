namespace Ledger.Domain.Common;

/// <summary>
/// What an id may look like: 1 to 64 ASCII letters, digits, '-', '_' or '.'. Ids name streams and appear in URLs,
/// logs and CSV files, so they are short and plain; anything else (a 300 kB "id", a path, a script) is refused.
/// </summary>
public static class Ids
{
    public const int MaxLength = 64;

    /// <summary>Free text in short fields (names, regions, owners) stops here.</summary>
    public const int MaxTextLength = 200;

    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= MaxLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>The refusal for the first field that is not an id, or null when all are.</summary>
    public static Refusal? Check(params (string Field, string? Value)[] fields) =>
        fields.FirstOrDefault(f => !IsValid(f.Value)) is { Field: { } field, Value: var value }
            ? new Refusal(RefusalKind.Validation, string.IsNullOrWhiteSpace(value) ? "field-required" : "id-invalid",
                string.IsNullOrWhiteSpace(value) ? $"{field} is required." : $"{field} is 1 to {MaxLength} letters, digits, '-', '_' or '.'.", field)
            : null;

    /// <summary>The refusal for the first short text field that is longer than <see cref="MaxTextLength"/>, or null.</summary>
    public static Refusal? CheckLength(params (string Field, string? Value)[] fields) =>
        fields.FirstOrDefault(f => f.Value?.Length > MaxTextLength) is { Field: { } field }
            ? new Refusal(RefusalKind.Validation, "text-too-long", $"{field} is at most {MaxTextLength} characters.", field)
            : null;
}
