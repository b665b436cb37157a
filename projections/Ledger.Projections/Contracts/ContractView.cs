using Ledger.Domain.Billing;
using Ledger.Domain.Contracts;
using Ledger.Projections.Common;
using Ledger.Projections.Quotes;
using Ledger.Projections.Reconciliation;

namespace Ledger.Projections.Contracts;

/// <summary>
/// A change of a contract that billing is asked to bill (ADR/0021): what the ledger handed off, and what billing answered
/// (its acknowledgement) and holds (records it reported under the change's handoff id).
/// </summary>
public sealed class ContractChangeLine
{
    public int Version { get; set; }
    public ContractChangeKind Kind { get; set; }
    public string HandoffId { get; set; } = "";
    public Amount Expected { get; set; } = new(0, "");
    public EventRef Source { get; set; } = null!;
    public string? BillingReference { get; set; }
    public Amount? Acknowledged { get; set; }
    public EventRef? AcknowledgedBy { get; set; }

    /// <summary>Where the change's billing handoff stands, from its billing stream (as an order's, <see cref="QuoteView.Billing"/>); null until it is requested.</summary>
    public Sourced<BillingProgress>? Billing { get; set; }
}

/// <summary>
/// What both contract documents know of one contract (ADR/0029), folded by one code path
/// (<see cref="ContractProgressProjection{TView}"/>) from the contract stream and the billing handoffs of its changes: its
/// terms, each change handed to billing with billing's answer, the changes of terms made, its renewal and amendment quotes,
/// and how its value moved.
/// </summary>
public abstract class ContractProgress
{
    public string Id { get; set; } = "";
    public string? QuoteId { get; set; }
    public string? OrderId { get; set; }
    public string? SourceCrm { get; set; }
    public string? CustomerId { get; set; }
    public string? Currency { get; set; }
    public Sourced<ContractStatus>? Status { get; set; }
    /// <summary>The contract's version (not named <c>Version</c>: Marten sets a document's <c>Version</c> to its own revision).</summary>
    public int ContractVersion { get; set; }
    public NodaTime.LocalDate? StartDate { get; set; }
    public NodaTime.LocalDate? EndDate { get; set; }
    public List<ContractLine> Lines { get; set; } = [];
    public decimal TermNetTotal { get; set; }
    public List<ContractChangeLine> Changes { get; set; } = [];

    /// <summary>Every change of terms the ledger made after the start (amendments, renewals, a cancellation), by version: what QTC-14 compares with the CRM's.</summary>
    public List<ContractChangeMade> ChangesMade { get; set; } = [];

    /// <summary>The renewal quotes the contract drafted, each with the term it renewed once its order was billed (ADR/0021).</summary>
    public List<ContractRenewalQuote> RenewalQuotes { get; set; } = [];

    /// <summary>The amendment quotes drafted against the contract (<c>contract-amendment-quoted</c>) and the version each one's order made.</summary>
    public List<ContractAmendmentQuote> AmendmentQuotes { get; set; } = [];

    /// <summary>The contract's recurring value as it moved: started, amended up or down, renewed, cancelled or expired.</summary>
    public List<ContractMovement> Movements { get; set; } = [];

    /// <summary>The last event the document took.</summary>
    public EventRef? Through { get; set; }
}

/// <summary>
/// One contract as its CRM, the CRM's quote view and <c>GET /contracts/{id}/view</c> show it (projection
/// <c>contract-view</c>, ADR/0029): the shared <see cref="ContractProgress"/> only. It follows the contract stream and its
/// changes' billing handoffs: no reported fact (a billing record, a CRM's report) and no clearing of a discrepancy moves
/// it. Reconciliation reads <see cref="Reconciliation.ContractReconciliation"/>.
/// </summary>
public sealed class ContractView : ContractProgress;

/// <summary>How a contract's recurring value moved (ADR/0021), for the revenue summary's categories.</summary>
public enum ContractMovementKind { New, Expansion, Contraction, Renewal, Churn }

/// <summary>One movement of a contract's whole-term net value: + for new, expansion and renewal, − for contraction and churn.</summary>
public sealed record ContractMovement(ContractMovementKind Kind, decimal Amount, EventRef Source);

/// <summary>A change of the contract's terms the ledger made: the version it made, what it was, and its event.</summary>
public sealed record ContractChangeMade(int Version, ContractChangeKind Kind, EventRef Source);

/// <summary>
/// A renewal quote the contract drafted for the term ending <see cref="RenewsTermEnding"/> (<c>contract-renewal-quoted</c>)
/// and, once its billed order renewed the contract (<c>contract-renewed-by-quote</c>), the term it made: what the CRM's view
/// of the renewal quote shows as its contract.
/// </summary>
/// <summary>An amendment quote of the contract (ADR/0021): what it amends, and what its order made of it.</summary>
public sealed class ContractAmendmentQuote
{
    public string QuoteId { get; set; } = "";
    public int BasedOnVersion { get; set; }
    public NodaTime.LocalDate EffectiveDate { get; set; }
    public EventRef Drafted { get; set; } = null!;
    public string? OrderId { get; set; }
    /// <summary>The contract version the amendment made; null until the quote's order amended the contract.</summary>
    public int? AmendedVersion { get; set; }
    public EventRef? Amended { get; set; }
}

public sealed class ContractRenewalQuote
{
    public string QuoteId { get; set; } = "";
    public NodaTime.LocalDate RenewsTermEnding { get; set; }
    public EventRef Drafted { get; set; } = null!;
    public string? OrderId { get; set; }
    /// <summary>The contract version the renewal made; null until the quote's order renewed the contract.</summary>
    public int? RenewedVersion { get; set; }
    public NodaTime.LocalDate? TermStartDate { get; set; }
    public NodaTime.LocalDate? TermEndDate { get; set; }
    public EventRef? Renewed { get; set; }
}
