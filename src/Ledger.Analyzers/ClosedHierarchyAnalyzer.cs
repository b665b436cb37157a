using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Ledger.Analyzers;

/// <summary>
/// Closed hierarchies (ADR/0026): a switch over a type marked <c>[Closed]</c> whose default throws means "every case is
/// handled here", so a case it does not name is a compile error instead of that throw at run time. The cases are the
/// concrete types deriving from the closed type in its own assembly. A switch whose default does something else (a
/// projection that ignores the events it does not read) chose to be partial and is left alone.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ClosedHierarchyAnalyzer : DiagnosticAnalyzer
{
    public const string Id = "LEDGER0001";

    private static readonly DiagnosticDescriptor MissingCase = new(
        Id, "A switch over a closed hierarchy misses a case",
        "The switch over {0} does not handle {1}: name each case, or give the default arm something to do other than throw",
        "Design", DiagnosticSeverity.Error, isEnabledByDefault: true);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [MissingCase];

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterOperationAction(AnalyzeSwitchExpression, OperationKind.SwitchExpression);
        context.RegisterOperationAction(AnalyzeSwitchStatement, OperationKind.Switch);
    }

    private static void AnalyzeSwitchExpression(OperationAnalysisContext context)
    {
        var operation = (ISwitchExpressionOperation)context.Operation;
        var arms = operation.Arms;
        if (!arms.Any(a => a.Guard is null && IsDefault(a.Pattern) && a.Value is IThrowOperation or IConversionOperation { Operand: IThrowOperation })) return;
        Check(context, operation.Value.Type, arms.Where(a => a.Guard is null).Select(a => a.Pattern), operation.Syntax.GetLocation());
    }

    private static void AnalyzeSwitchStatement(OperationAnalysisContext context)
    {
        var operation = (ISwitchOperation)context.Operation;
        var throwsByDefault = operation.Cases.Any(c =>
            c.Clauses.Any(clause => clause is IDefaultCaseClauseOperation || clause is IPatternCaseClauseOperation { Guard: null } p && IsDefault(p.Pattern))
            && c.Body.LastOrDefault() is IThrowOperation or IExpressionStatementOperation { Operation: IThrowOperation });
        if (!throwsByDefault) return;
        var patterns = operation.Cases.SelectMany(c => c.Clauses).OfType<IPatternCaseClauseOperation>().Where(p => p.Guard is null).Select(p => p.Pattern);
        Check(context, operation.Value.Type, patterns, operation.Syntax.GetLocation());
    }

    private static void Check(OperationAnalysisContext context, ITypeSymbol? governing, IEnumerable<IPatternOperation> patterns, Location location)
    {
        if (governing is not INamedTypeSymbol closed || !IsClosed(closed)) return;
        var handled = patterns.SelectMany(MatchedTypes).ToList();
        var missing = CasesOf(closed)
            .Where(@case => !handled.Any(h => DerivesFrom(@case, h)))
            .Select(@case => @case.Name)
            .OrderBy(name => name, System.StringComparer.Ordinal)
            .ToList();
        if (missing.Count > 0)
            context.ReportDiagnostic(Diagnostic.Create(MissingCase, location, closed.Name, string.Join(", ", missing)));
    }

    private static bool IsClosed(INamedTypeSymbol type) =>
        type.GetAttributes().Any(a => a.AttributeClass is { Name: "ClosedAttribute" });

    /// <summary><c>_</c>, also as one side of an <c>or</c> (<c>A or B or _ => throw</c> names A and B and throws for the rest).</summary>
    private static bool IsDefault(IPatternOperation pattern) => pattern is IDiscardPatternOperation
        || pattern is IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.Or } or && (IsDefault(or.LeftPattern) || IsDefault(or.RightPattern));

    /// <summary>The types a pattern matches whatever their contents: a type, a declaration, a property pattern without conditions, either side of <c>or</c>.</summary>
    private static IEnumerable<ITypeSymbol> MatchedTypes(IPatternOperation pattern) => pattern switch
    {
        ITypePatternOperation p => [p.MatchedType],
        IDeclarationPatternOperation { MatchedType: { } t } => [t],
        IRecursivePatternOperation { MatchedType: { } t } p when p.PropertySubpatterns.All(s => Irrefutable(s.Pattern)) && p.DeconstructionSubpatterns.All(Irrefutable) => [t],
        IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.Or } p => MatchedTypes(p.LeftPattern).Concat(MatchedTypes(p.RightPattern)),
        _ => [],
    };

    /// <summary>A subpattern that matches anything (<c>var x</c>, <c>_</c>), so the pattern around it still matches the whole type.</summary>
    private static bool Irrefutable(IPatternOperation pattern) =>
        pattern is IDiscardPatternOperation or IDeclarationPatternOperation { MatchesNull: true };

    private static bool DerivesFrom(ITypeSymbol type, ITypeSymbol ancestor)
    {
        for (var current = type; current is not null; current = current.BaseType)
            if (SymbolEqualityComparer.Default.Equals(current, ancestor)) return true;
        return false;
    }

    /// <summary>Every concrete type in the closed type's assembly that derives from it.</summary>
    private static IEnumerable<INamedTypeSymbol> CasesOf(INamedTypeSymbol closed) =>
        TypesIn(closed.ContainingAssembly.GlobalNamespace).Where(t => !t.IsAbstract && !SymbolEqualityComparer.Default.Equals(t, closed) && DerivesFrom(t, closed));

    private static IEnumerable<INamedTypeSymbol> TypesIn(INamespaceOrTypeSymbol container)
    {
        foreach (var member in container.GetMembers())
        {
            if (member is INamespaceSymbol ns)
                foreach (var t in TypesIn(ns)) yield return t;
            else if (member is INamedTypeSymbol type)
            {
                yield return type;
                foreach (var nested in TypesIn(type)) yield return nested;
            }
        }
    }
}
