using System.Collections.Immutable;
using Ledger.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ledger.Specs;

/// <summary>
/// The closed-hierarchy check (ADR/0026) on the domain's own sources: compiled as they are, nothing is reported; with one
/// more case that no decider names, the build fails at each switch that must name it.
/// </summary>
public sealed class ClosedHierarchyTests
{
    private static readonly string DomainSources = Path.Combine(Path.GetDirectoryName(SpecYaml.Root)!, "src", "Ledger.Domain");

    [Fact]
    public async Task The_domain_as_it_is_names_every_case()
    {
        Assert.Empty(await ClosedHierarchyErrorsAsync());
    }

    [Fact]
    public async Task A_new_quote_command_no_decider_names_fails_the_build_at_the_quote_decider()
    {
        var errors = await ClosedHierarchyErrorsAsync("""
            namespace Ledger.Domain.Quotes;
            using Ledger.Domain.Common;
            public sealed record PutQuoteOnHold(QuoteId QuoteId, string Reason) : QuoteCommand(QuoteId);
            """);

        var error = Assert.Single(errors);
        Assert.EndsWith(Path.Combine("Quotes", "QuoteDecider.cs"), error.Location.SourceTree!.FilePath);
        Assert.Contains("QuoteCommand does not handle PutQuoteOnHold", error.GetMessage());
    }

    [Fact]
    public async Task A_new_order_event_fails_the_build_at_the_order_fold()
    {
        var errors = await ClosedHierarchyErrorsAsync("""
            namespace Ledger.Domain.Orders;
            using Ledger.Domain.Common;
            public sealed record OrderPutOnHold(OrderId OrderId) : OrderEvent(OrderId);
            """);

        Assert.Contains(errors, e => e.GetMessage().Contains("OrderEvent does not handle OrderPutOnHold") && e.Location.SourceTree!.FilePath.EndsWith("OrderDecider.cs"));
        Assert.All(errors, e => Assert.Equal(ClosedHierarchyAnalyzer.Id, e.Id));
    }

    private static async Task<ImmutableArray<Diagnostic>> ClosedHierarchyErrorsAsync(params string[] extraSources)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = Directory.EnumerateFiles(DomainSources, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parse, f))
            .Concat(extraSources.Select((s, i) => CSharpSyntaxTree.ParseText(s, parse, $"extra{i}.cs")))
            .Append(CSharpSyntaxTree.ParseText("global using System; global using System.Collections.Generic; global using System.Linq; global using System.Threading.Tasks;", parse, "usings.cs"));
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(NodaTime.Instant).Assembly.Location)
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("Ledger.Domain", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        // The sources compile (but for the check): a broken compilation would make an empty answer meaningless.
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var diagnostics = await compilation.WithAnalyzers([new ClosedHierarchyAnalyzer()]).GetAnalyzerDiagnosticsAsync();
        return diagnostics.Where(d => d.Id == ClosedHierarchyAnalyzer.Id).ToImmutableArray();
    }
}
