using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Contracts;

/// <summary>A term amount prorated to the days left of the term: the days counted, and the amount rounded to the currency.</summary>
public sealed record Prorated(int DaysRemaining, int DaysInTerm, decimal Amount);

/// <summary>
/// The ledger's one proration rule (ADR/0021): actual days over actual days of the contract's own term. A term runs
/// from its first day to its last day, both included, so a term with a February 29th has one day more; the days
/// remaining run from the effective date to the term's last day, both included (effective on the last day: 1 day;
/// after it: 0). The amount is <c>term amount × days remaining ÷ days in term</c>, computed in decimal and rounded once,
/// to the currency's minor unit, half away from zero (<see cref="Currency.Round"/>): 2 decimals for USD and EUR, 0 for JPY.
/// </summary>
public static class Proration
{
    public static int DaysInTerm(LocalDate firstDay, LocalDate lastDay) => Period.Between(firstDay, lastDay, PeriodUnits.Days).Days + 1;

    public static Prorated Prorate(decimal termAmount, string currency, LocalDate firstDay, LocalDate lastDay, LocalDate effective)
    {
        var inTerm = DaysInTerm(firstDay, lastDay);
        var remaining = effective < firstDay ? inTerm : Math.Max(0, Period.Between(effective, lastDay, PeriodUnits.Days).Days + 1);
        return new Prorated(remaining, inTerm, Currency.Of(currency).Round(termAmount * remaining / inTerm));
    }

    /// <summary>
    /// A line's net amount for a whole term, rounded as quotes are priced (<see cref="Quotes.PriceCalculation"/>): list amount,
    /// then the discount on it, each to the minor unit. A negative quantity (a reduction) gives the same amount negated.
    /// </summary>
    public static decimal TermNet(string currency, decimal listPrice, decimal quantity, decimal discountPercent)
    {
        var c = Currency.Of(currency);
        var list = c.Round(listPrice * quantity);
        return list - c.Round(list * discountPercent / 100m);
    }
}
