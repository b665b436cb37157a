using System.Collections.Immutable;
using NodaTime;
using Ledger.Domain.Common;

namespace Ledger.Domain.Contracts;

public enum ContractStatus { None, Active, Expired, Cancelled }

/// <summary>A change billing is asked to bill: what it was, the amount handed off (negative: a credit), and whether billing acknowledged it.</summary>
public sealed record BillableChange(Billing.ContractChangeKind Kind, decimal Amount, bool Billed);

/// <summary>A contract as its events make it. <see cref="StartDate"/> and <see cref="EndDate"/> are the latest term's first and last day.</summary>
/// <param name="Version">Moves with every change of terms (start, amendment, renewal, end); amendments name it to be refused when stale.</param>
/// <param name="Terms">How many terms the contract has had: the next term's end is counted from the first start (ADR/0021).</param>
public sealed record ContractState(
    ContractStatus Status, ContractStarted? Started, int Version, LocalDate StartDate, LocalDate EndDate, ImmutableList<ContractLine> Lines,
    int Terms, LocalDate? RenewalDueFor)
{
    public static readonly ContractState Initial = new(ContractStatus.None, null, 0, default, default, [], 0, null);

    /// <summary>The changes handed to billing, by the version each made (the start is billed with its order, so it is not here).</summary>
    public ImmutableDictionary<int, BillableChange> Billable { get; init; } = ImmutableDictionary<int, BillableChange>.Empty;

    /// <summary>An amendment waiting for its approval; null when none is.</summary>
    public ContractAmendmentProposed? Proposed { get; init; }

    /// <summary>The approvals whose amendments were recorded: the same approval delivered again records nothing.</summary>
    public ImmutableHashSet<Approvals.ApprovalFingerprint> Applied { get; init; } = [];

    /// <summary>The renewal quote drafted for the latest term, with the term's last day it renews from; null until one is.</summary>
    public ContractRenewalQuoted? RenewalQuote { get; init; }

    /// <summary>The latest renewal made by a renewal quote's order; a repeat of that order renews nothing.</summary>
    public ContractRenewedByQuote? RenewedByQuote { get; init; }

    /// <summary>The amendment quotes drafted against the contract, oldest first (ADR/0021).</summary>
    public ImmutableList<ContractAmendmentQuoted> AmendmentQuotes { get; init; } = [];

    /// <summary>The amendments made by amendment quotes' orders, oldest first: an order's repeat amends nothing, and its billing closes it.</summary>
    public ImmutableList<ContractAmendedByQuote> AmendedByQuote { get; init; } = [];

    /// <summary>The id the next amendment quote gets: the contract's quote id and its ordinal (<c>Q-1001-AM1</c>).</summary>
    public QuoteId NextAmendmentQuoteId => Contracts.AmendmentQuotes.QuoteIdFor(Started!.QuoteId, AmendmentQuotes.Count + 1);

    /// <summary>The id a renewal quote of the term after the latest one gets: the contract's quote id and the term it would start.</summary>
    public QuoteId RenewalQuoteId => RenewalQuoteIdFor(Started!.QuoteId, Terms + 1);

    public static QuoteId RenewalQuoteIdFor(QuoteId quoteId, int term) => new($"{quoteId}-RN{term}");

    /// <summary>
    /// The contract a quote would renew if it is a renewal quote (<c>Q-1001-RN2</c> → <c>ctr-Q-1001</c>); null otherwise. A
    /// candidate only: the contract's own <see cref="RenewalQuote"/> says whether it drafted that quote.
    /// </summary>
    public static ContractId? RenewedContractIdOf(QuoteId quoteId) => ContractIdOfDrafted(quoteId, "-RN", 2);

    /// <summary>The contract whose quote id a drafted quote's id extends by <paramref name="marker"/> and an ordinal of at least <paramref name="least"/>.</summary>
    internal static ContractId? ContractIdOfDrafted(QuoteId quoteId, string marker, int least)
    {
        var id = quoteId.Value;
        var at = id.LastIndexOf(marker, StringComparison.Ordinal);
        return at > 0 && int.TryParse(id.AsSpan(at + marker.Length), System.Globalization.NumberStyles.None, null, out var n) && n >= least
            ? ContractDecider.ContractIdFor(new QuoteId(id[..at]))
            : null;
    }

    public decimal TermNetTotal => Lines.Sum(l => l.TermNetAmount);

    /// <summary>The first instant after the latest term: the start of the day after its last day, in the contract's zone.</summary>
    public Instant TermEndsAt => TermOverAt(EndDate, Started!.TimeZone);

    public static Instant TermOverAt(LocalDate endDate, string timeZone) => StartOfDay(endDate.PlusDays(1), timeZone);

    /// <summary>When a renewal falls due: <paramref name="noticeDays"/> days before the term is over.</summary>
    public static Instant RenewalDueAt(LocalDate endDate, int noticeDays, string timeZone) => StartOfDay(endDate.PlusDays(1 - noticeDays), timeZone);

    public static LocalDate Today(Instant now, string timeZone) => now.InZone(DateTimeZoneProviders.Tzdb[timeZone]).Date;

    private static Instant StartOfDay(LocalDate date, string timeZone) => date.AtStartOfDayInZone(DateTimeZoneProviders.Tzdb[timeZone]).ToInstant();
}
