namespace Ledger.Cli;

/// <summary>One option of a verb: <c>--name VALUE</c> when <see cref="Value"/> is set, a bare switch otherwise.</summary>
public sealed record VerbOption(string Name, string? Value, string Help);

/// <summary>
/// One <c>ledger</c> verb: what it takes (options and a count of plain arguments, the first one of
/// <see cref="Subcommands"/> when those are given), how to describe it, and what it runs.
/// </summary>
public sealed record Verb(
    string Name,
    string Arguments,
    string Summary,
    Func<string[], Task<int>> Run,
    VerbOption[]? Options = null,
    int MinOperands = 0,
    int MaxOperands = 0,
    string[]? Subcommands = null,
    string[]? Notes = null)
{
    public VerbOption[] AllOptions => Options ?? [];

    public string Synopsis => Arguments.Length == 0 ? $"ledger {Name}" : $"ledger {Name} {Arguments}";

    /// <summary>Why <paramref name="args"/> are not what this verb takes, or null when they are.</summary>
    public string? Problem(string[] args)
    {
        var operands = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-') || arg == "-")
            {
                operands.Add(arg);
                continue;
            }
            var option = AllOptions.FirstOrDefault(o => o.Name == arg);
            if (option is null) return $"unknown option '{arg}'";
            if (option.Value is null) continue;
            if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal)) return $"{arg} needs a value ({option.Value})";
            i++;
        }
        if (operands.Count > MaxOperands) return $"unexpected argument '{operands[MaxOperands]}'";
        if (operands.Count < MinOperands) return $"missing {Arguments.Split(' ')[0]}";
        if (Subcommands is not null && operands.Count > 0 && !Subcommands.Contains(operands[0]))
            return $"unknown subcommand '{operands[0]}' (one of: {string.Join(", ", Subcommands)})";
        return null;
    }
}

/// <summary>
/// The one place that reads a <c>ledger</c> command line: <c>--help</c> (or <c>-h</c>) prints the verb's usage and runs
/// nothing; an unknown verb, option or argument prints the usage and exits <see cref="UsageError"/> before any work starts.
/// </summary>
public static class CommandLine
{
    /// <summary>EX_USAGE from sysexits.h: apart from verify's 2 (a broken link) and reactions' 3 (something stuck).</summary>
    public const int UsageError = 64;

    public static bool IsHelp(string arg) => arg is "--help" or "-h";

    public static async Task<int> RunAsync(string[] args, IReadOnlyList<Verb> verbs, Func<Verb, string[], Task<int>> run)
    {
        // `ledger`, `ledger help`, `ledger --help`: the overview; `ledger help <verb>`: that verb's usage.
        if (args.Length == 0 || IsHelp(args[0]) || args[0] == "help")
        {
            var asked = args.ElementAtOrDefault(1);
            if (asked is null || IsHelp(asked)) return Overview(verbs, Console.Out, 0);
            if (verbs.FirstOrDefault(v => v.Name == asked) is { } helpFor) return Usage(helpFor, Console.Out, 0);
            Console.Error.WriteLine($"ledger: unknown verb '{asked}'");
            return Overview(verbs, Console.Error, UsageError);
        }

        if (verbs.FirstOrDefault(v => v.Name == args[0]) is not { } verb)
        {
            Console.Error.WriteLine($"ledger: unknown verb '{args[0]}'");
            return Overview(verbs, Console.Error, UsageError);
        }
        var rest = args[1..];
        // Before anything else: `ledger <verb> … --help …` runs nothing.
        if (rest.Any(IsHelp)) return Usage(verb, Console.Out, 0);
        if (verb.Problem(rest) is { } problem)
        {
            Console.Error.WriteLine($"ledger {verb.Name}: {problem}");
            return Usage(verb, Console.Error, UsageError);
        }
        return await run(verb, rest);
    }

    private static int Usage(Verb verb, TextWriter to, int exitCode)
    {
        to.WriteLine($"usage: {verb.Synopsis}");
        to.WriteLine($"  {verb.Summary}");
        var width = verb.AllOptions.Select(Shown).Append("-h, --help").Max(s => s.Length);
        foreach (var option in verb.AllOptions) to.WriteLine($"  {Shown(option).PadRight(width)}  {option.Help}");
        to.WriteLine($"  {"-h, --help".PadRight(width)}  this text; runs nothing");
        foreach (var note in verb.Notes ?? []) to.WriteLine($"  {note}");
        return exitCode;

        static string Shown(VerbOption o) => o.Value is null ? o.Name : $"{o.Name} {o.Value}";
    }

    private static int Overview(IReadOnlyList<Verb> verbs, TextWriter to, int exitCode)
    {
        to.WriteLine("ledger — the quote-to-cash ledger");
        to.WriteLine("usage: ledger <verb> [arguments]   ('ledger <verb> --help' lists a verb's options)");
        to.WriteLine();
        foreach (var verb in verbs)
        {
            to.WriteLine($"  {verb.Synopsis}");
            to.WriteLine($"      {verb.Summary}");
        }
        return exitCode;
    }
}
