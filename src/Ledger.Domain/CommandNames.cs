using System.Reflection;
using System.Text.RegularExpressions;
using Ledger.Domain.Common;

namespace Ledger.Domain;

/// <summary>
/// Every command under the name people and callers use for it: its record's name in kebab case (<c>DraftQuote</c> →
/// <c>draft-quote</c>), found from the deciders, so adding a command adds its name. Unlike event names these are not
/// stored, so they carry no version.
/// </summary>
public static class CommandNames
{
    public static readonly IReadOnlyList<(Type Type, string Name)> All =
        typeof(Deciders).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType.IsGenericType && f.FieldType.GetGenericTypeDefinition() == typeof(Decider<,,>))
            .SelectMany(f => typeof(Deciders).Assembly.GetTypes()
                .Where(t => t is { IsAbstract: false, IsClass: true } && f.FieldType.GetGenericArguments()[0].IsAssignableFrom(t)))
            .Distinct()
            .Select(t => (t, Kebab(t.Name)))
            .OrderBy(c => c.Item2, StringComparer.Ordinal)
            .ToList();

    public static string Kebab(string pascal) => Regex.Replace(pascal, "(?<!^)([A-Z])", "-$1").ToLowerInvariant();
}
