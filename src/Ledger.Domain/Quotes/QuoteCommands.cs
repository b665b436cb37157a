using Ledger.Domain.Common;
using Ledger.Domain.Approvals;
using Ledger.Domain.Catalog;
using Ledger.Domain.Customers;
using NodaTime;

namespace Ledger.Domain.Quotes;

/// <summary>Commands to a quote stream. Facts from other streams (catalog offerings, policies) are loaded by the caller and carried here.</summary>
[Closed]
public abstract record QuoteCommand(QuoteId QuoteId);

/// <param name="AccountCustomer">
/// The identity gate's fact (seed 000, failure mode 4): the canonical customer the CRM account is linked to, as it is
/// now (followed through merges by the caller); null when the account is linked to no customer.
/// </param>
public sealed record DraftQuote(
    QuoteId QuoteId, string SourceCrm, string CrmOpportunityId, string CrmAccountId, CustomerId CustomerId, string Owner,
    string Currency, string Segment, string Region, string LegalEntity, string TimeZone, string PriceBookVersion,
    LocalDate ValidFrom, LocalDate ValidUntil, LinkedCustomer? AccountCustomer) : QuoteCommand(QuoteId), IStartsStream;

/// <param name="Offering">The offering as published in <paramref name="CatalogVersion"/>; null when the catalog does not know it.</param>
/// <param name="RenewalBasePrice">
/// A renewal quote's line: the contract line's list price in the term being renewed, which <paramref name="UpliftPercent"/>
/// raises once (ADR/0021). Null for an ordinary line, which takes the catalog's list price.
/// </param>
/// <param name="UpliftPercent">The renewal's uplift (the policy's); 0 otherwise. Only a renewal base price is uplifted.</param>
public sealed record AddQuoteLine(
    QuoteId QuoteId, string LineId, string ProductOfferingId, string CatalogVersion, decimal Quantity, decimal DiscountPercent,
    ProductOffering? Offering, decimal UpliftPercent = 0m, decimal? RenewalBasePrice = null) : QuoteCommand(QuoteId);

public sealed record ChangeQuoteLine(QuoteId QuoteId, string LineId, decimal Quantity, decimal DiscountPercent) : QuoteCommand(QuoteId);

public sealed record RemoveQuoteLine(QuoteId QuoteId, string LineId) : QuoteCommand(QuoteId);

/// <param name="Policy">The pricing policy to price under; null when the requested version is not published.</param>
/// <param name="Amends">
/// For an amendment quote (ADR/0021), the contract it amends as loaded now: the quote is priced at its prorated delta, and
/// refused when the contract moved on. Null for any other quote.
/// </param>
public sealed record PriceQuote(QuoteId QuoteId, PricingPolicyPublished? Policy, Contracts.AmendmentBasis? Amends = null) : QuoteCommand(QuoteId);

/// <param name="Policy">The policy the quote was priced under, which says which approval levels it needs.</param>
/// <param name="Amends">For an amendment quote, the contract it amends as loaded now: the policy judges the delta, as a direct amendment's.</param>
public sealed record SubmitQuote(QuoteId QuoteId, string SubmittedBy, PricingPolicyPublished? Policy, Contracts.AmendmentBasis? Amends = null)
    : QuoteCommand(QuoteId);

/// <summary>Sent when an approval stream completes; the fingerprint is the one that was approved.</summary>
public sealed record ApproveQuote(QuoteId QuoteId, ApprovalFingerprint Fingerprint, string ApprovedBy) : QuoteCommand(QuoteId);

public sealed record RejectQuote(QuoteId QuoteId, ApprovalFingerprint Fingerprint, string RejectedBy, string Reason) : QuoteCommand(QuoteId);

public sealed record ReviseQuote(QuoteId QuoteId, string Reason, string RevisedBy) : QuoteCommand(QuoteId);

public sealed record SendQuote(QuoteId QuoteId, string DocumentHash, string SentBy) : QuoteCommand(QuoteId);

public sealed record AcceptQuote(QuoteId QuoteId, int Revision, string AcceptanceType, string Signer) : QuoteCommand(QuoteId);

public sealed record ExpireQuote(QuoteId QuoteId) : QuoteCommand(QuoteId);

/// <summary>The customer needs longer: an open quote stays valid until a later last day (in its own time zone).</summary>
public sealed record ExtendQuoteValidity(QuoteId QuoteId, LocalDate ValidUntil, string Reason, string ExtendedBy) : QuoteCommand(QuoteId);

public sealed record WithdrawQuote(QuoteId QuoteId, string Reason, string WithdrawnBy) : QuoteCommand(QuoteId);

public sealed record ConvertQuoteToOrder(QuoteId QuoteId, OrderId OrderId) : QuoteCommand(QuoteId);
