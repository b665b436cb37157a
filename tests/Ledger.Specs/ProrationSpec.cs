using System.Diagnostics;
using System.Text.Json.Nodes;
using Ledger.Domain.Contracts;
using NodaTime;

namespace Ledger.Specs;

/// <summary>
/// One proration spec (ADR/0021), one per file under <c>specs/proration/</c>: the day-count rule as a pure function.
/// <code>
/// title: Five seats added on April 1st are charged 275 of the term's 365 days
/// prorate: { termAmount: 5100, currency: USD, firstDay: 2026-01-01, lastDay: 2026-12-31, effective: 2026-04-01 }
/// then: { daysRemaining: 275, daysInTerm: 365, amount: 3842.47 }
/// </code>
/// </summary>
public sealed record ProrationSpec(string Path, string Title, ProrationSpec.Input Prorate, JsonNode Then)
{
    public sealed record Input(decimal TermAmount, string Currency, LocalDate FirstDay, LocalDate LastDay, LocalDate Effective);

    public const string Folder = "proration";

    private static readonly string[] Keys = ["title", "prorate", "then"];

    public static bool IsProrationSpec(string path) => path.StartsWith(Folder + "/", StringComparison.Ordinal);

    public static IEnumerable<string> All() => SpecYaml.Files().Where(IsProrationSpec);

    public static ProrationSpec Load(string path)
    {
        var root = SpecYaml.Load(path, "a proration spec is a mapping of title, prorate, then.", Keys);
        var input = (Input)SpecRunner.Read(typeof(Input), root["prorate"] ?? throw SpecYaml.Bad(path, "'prorate' is missing."), path, "prorate");
        return new ProrationSpec(path, SpecYaml.Text(root, "title", path), input, root["then"] ?? throw SpecYaml.Bad(path, "'then' is missing."));
    }

    [StackTraceHidden]
    public void Verify()
    {
        var expected = SpecJson.ToNode(SpecRunner.Read(typeof(Prorated), Then, Path, "then"));
        var actual = SpecJson.ToNode(Proration.Prorate(Prorate.TermAmount, Prorate.Currency, Prorate.FirstDay, Prorate.LastDay, Prorate.Effective));
        SpecRunner.Compare(Path, Title, $"prorating {Prorate.TermAmount} {Prorate.Currency} over {Prorate.FirstDay:yyyy-MM-dd}..{Prorate.LastDay:yyyy-MM-dd} from {Prorate.Effective:yyyy-MM-dd}",
            expected!, actual!);
    }
}
