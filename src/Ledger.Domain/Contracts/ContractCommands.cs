using Ledger.Domain.Catalog;
using Ledger.Domain.Common;
using Ledger.Domain.Orders;
using NodaTime;

namespace Ledger.Domain.Contracts;

/// <summary>Commands to a contract stream. Facts from other streams (the order, the catalog) are loaded by the caller and carried here.</summary>
[Closed]
public abstract record ContractCommand(ContractId ContractId);

/// <summary>A subscription offering of the catalog as the quote's lines name it (offering and catalog version).</summary>
public sealed record OfferingSubscription(string ProductOfferingId, string CatalogVersion, SubscriptionTerms Terms);

/// <param name="Quote">The billed order's accepted quote.</param>
/// <param name="StartDate">The day billing acknowledged the order, in the quote's zone.</param>
/// <param name="Subscriptions">The catalog's subscription terms of the quote's offerings; lines of other offerings are one-off sales.</param>
public sealed record StartContract(
    ContractId ContractId, OrderId OrderId, AcceptedQuote Quote, string BillingReference, LocalDate StartDate, string TimeZone,
    IReadOnlyList<OfferingSubscription> Subscriptions) : ContractCommand(ContractId), IStartsStream;

/// <summary>A line's new quantity (0 removes it). A line the contract does not have is added from <paramref name="Offering"/>.</summary>
/// <param name="Offering">The offering as published in <paramref name="CatalogVersion"/>, loaded by the caller; null when unknown.</param>
/// <param name="DiscountPercent">An added line's discount (0 when not given); a line the contract has keeps its agreed discount.</param>
public sealed record ContractLineAmendment(
    string LineId, decimal Quantity, string? ProductOfferingId = null, string? CatalogVersion = null, ProductOffering? Offering = null,
    decimal? DiscountPercent = null);

/// <summary>The pricing policy an amendment's delta is judged by, with the contract quote's segment and region; loaded by the caller.</summary>
public sealed record AmendmentPolicy(Catalog.PricingPolicyPublished Policy, string Segment, string Region);

/// <param name="ExpectedVersion">The contract version the amendment was written against; another is stale.</param>
/// <param name="Policy">The current pricing policy; null when none is published (refused: nothing can say what needs approval).</param>
public sealed record AmendContract(
    ContractId ContractId, int ExpectedVersion, LocalDate EffectiveDate, IReadOnlyList<ContractLineAmendment> Lines, string AmendedBy,
    AmendmentPolicy? Policy = null)
    : ContractCommand(ContractId);

/// <summary>Sent when the proposed amendment's approval stream completed for <paramref name="Fingerprint"/> (a reaction).</summary>
public sealed record ApplyApprovedAmendment(ContractId ContractId, Approvals.ApprovalFingerprint Fingerprint) : ContractCommand(ContractId);

/// <summary>Sent when an approver denied a level of the proposed amendment (a reaction).</summary>
public sealed record RejectContractAmendment(ContractId ContractId, Approvals.ApprovalFingerprint Fingerprint, string Approver, string Reason)
    : ContractCommand(ContractId);

/// <summary>Sent when the notice period before <paramref name="EndDate"/> begins (a scheduled check).</summary>
public sealed record RecordContractRenewalDue(ContractId ContractId, LocalDate EndDate, int NoticeDays) : ContractCommand(ContractId);

public sealed record RenewContract(ContractId ContractId, int ExpectedVersion, decimal UpliftPercent, string RenewedBy) : ContractCommand(ContractId);

/// <summary>
/// Billing acknowledged the order of the contract's renewal quote (a reaction): the contract renews from that quote's
/// accepted lines instead of a new contract starting. Facts loaded by the caller, as for <see cref="StartContract"/>.
/// </summary>
public sealed record RenewContractFromQuote(
    ContractId ContractId, OrderId OrderId, AcceptedQuote Quote, string BillingReference, IReadOnlyList<OfferingSubscription> Subscriptions)
    : ContractCommand(ContractId);

/// <summary>Sent at the end of the term that ends on <paramref name="EndDate"/> (a scheduled check): expire, or renew an evergreen contract.</summary>
public sealed record EndContractTerm(ContractId ContractId, LocalDate EndDate) : ContractCommand(ContractId);

public sealed record CancelContract(ContractId ContractId, int ExpectedVersion, LocalDate EffectiveDate, string Reason, string CancelledBy) : ContractCommand(ContractId);

/// <summary>Billing acknowledged the handoff of the change that made <paramref name="ChangeVersion"/> (a reaction to its billing stream).</summary>
public sealed record RecordContractChangeBilled(
    ContractId ContractId, int ChangeVersion, string HandoffId, string BillingReference, decimal BilledAmount, string Currency) : ContractCommand(ContractId);

/// <summary>Notes the renewal quote drafted for the term ending <paramref name="EndDate"/> (sent by the handler that drafted it).</summary>
public sealed record RecordRenewalQuote(ContractId ContractId, LocalDate EndDate, QuoteId RenewalQuoteId, decimal UpliftPercent) : ContractCommand(ContractId);

/// <summary>
/// Notes an amendment quote drafted against <paramref name="ExpectedVersion"/> (the CRM's request, ADR/0021): the quote
/// <paramref name="QuoteId"/> amends the contract from <paramref name="EffectiveDate"/> to the latest term's end. Refused
/// on a stale version, a contract no longer active, or a date outside the term, as a direct amendment is.
/// </summary>
public sealed record RecordAmendmentQuote(ContractId ContractId, int ExpectedVersion, QuoteId QuoteId, LocalDate EffectiveDate, string QuotedBy)
    : ContractCommand(ContractId);

/// <summary>
/// The order of the contract's amendment quote was placed (a reaction): the contract is amended by the quote's accepted
/// delta, if it is still at <paramref name="BasedOnVersion"/>. <paramref name="Quote"/>'s lines are the priced delta lines.
/// </summary>
public sealed record AmendContractFromQuote(ContractId ContractId, OrderId OrderId, AcceptedQuote Quote, int BasedOnVersion) : ContractCommand(ContractId);
