using System.Text.Json;
using Ledger.Application;
using Ledger.Domain.Common;
using Ledger.EventStore;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Ledger.Specs;

/// <summary>Typed ids (ADR/0028): one kind is not another, and each is stored, sent and printed as its plain string.</summary>
public sealed class TypedIdTests
{
    private static readonly JsonSerializerOptions Stored = new EventSerializer(LedgerEventTypes.Registry()).Options;

    [Fact]
    public void An_order_id_where_a_quote_id_is_wanted_does_not_compile()
    {
        Assert.Empty(Errors("var stream = Ledger.Domain.Quotes.QuoteDecider.StreamId(new QuoteId(\"Q-1\"));"));

        var errors = Errors("var stream = Ledger.Domain.Quotes.QuoteDecider.StreamId(new OrderId(\"ord-Q-1\"));");

        Assert.Contains(errors, e => e.Id == "CS1503" && e.GetMessage().Contains("OrderId") && e.GetMessage().Contains("QuoteId"));
    }

    [Fact]
    public void A_string_is_an_id_only_by_naming_its_kind()
    {
        Assert.Contains(Errors("QuoteId id = \"Q-1\";"), e => e.Id == "CS0029");
        Assert.Contains(Errors("ContractId id = new QuoteId(\"Q-1\");"), e => e.Id == "CS0029");
    }

    [Fact]
    public void An_id_is_written_and_read_as_its_plain_string_and_a_missing_one_as_null()
    {
        Assert.Equal("\"Q-1001\"", JsonSerializer.Serialize(new QuoteId("Q-1001"), Stored));
        Assert.Equal(new OrderId("ord-Q-1001"), JsonSerializer.Deserialize<OrderId>("\"ord-Q-1001\"", Stored));
        Assert.Equal("null", JsonSerializer.Serialize(default(ContractId), Stored));
        Assert.Null(JsonSerializer.Deserialize<CustomerId>("null", Stored).Value);
        Assert.Equal("{\"cust-acme\":1}", JsonSerializer.Serialize(new Dictionary<CustomerId, int> { [new CustomerId("cust-acme")] = 1 }, Stored));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<QuoteId>("42", Stored));
    }

    [Fact]
    public void An_id_prints_and_converts_as_its_value_and_a_missing_one_as_null()
    {
        Assert.Equal("quote-Q-1001", $"quote-{new QuoteId("Q-1001")}");
        string value = new QuoteId("Q-1001");
        Assert.Equal("Q-1001", value);
        QuoteId? missing = null;
        string? none = missing; // its own operator: the compiler's unwrapping would throw here
        Assert.Null(none);
    }

    [Fact]
    public void The_deciders_refuse_an_id_that_is_not_one_with_the_field_and_the_rule()
    {
        Assert.Equal(("quoteId", "field-required"), Refusal(default(QuoteId)));
        Assert.Equal(("quoteId", "id-invalid"), Refusal(new QuoteId("../etc/passwd")));
        Assert.Null(Ids.Check(("quoteId", new QuoteId("Q-1001"))));

        static (string?, string) Refusal(QuoteId id) => Ids.Check(("quoteId", id)) is { } r ? (r.Field, r.Code) : (null, "");
    }

    private static IReadOnlyList<Diagnostic> Errors(string statement)
    {
        var source = $"using Ledger.Domain.Common; public static class Probe {{ public static void Run() {{ {statement} }} }}";
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(QuoteId).Assembly.Location)
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("Probe", [CSharpSyntaxTree.ParseText(source)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        return compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
    }
}
