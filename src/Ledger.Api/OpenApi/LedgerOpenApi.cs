using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ledger.Api.OpenApi;

/// <summary>
/// Fills in what the endpoints cannot say themselves: the problem answers every command can give, the headers it
/// needs, and an example body per request shape, so the API page is enough to write an integration.
/// </summary>
public static class LedgerOpenApi
{
    private static readonly Dictionary<string, string> Problems = new()
    {
        ["400"] = "Invalid input: `code` names the rule, `field` the offending input (also a missing Idempotency-Key).",
        ["401"] = "No or unknown API key.",
        ["403"] = "The client's role may not call this, or the quote belongs to another CRM.",
        ["404"] = "A referenced quote, order, offering or policy does not exist.",
        ["409"] = "The command does not fit the current state (e.g. not in draft), or a race was lost 5 times.",
        ["413"] = "The body is larger than 1 MiB, or (EventStoreDB) the events it would record are larger than one append may be (`events.too-large`).",
        ["422"] = "A business rule refused the command (e.g. segregation of duties), or an Idempotency-Key was reused with another body.",
    };

    private static readonly Dictionary<string, string> Examples = new()
    {
        ["DraftQuoteRequest"] = """{"quoteId":"Q-1001","crmOpportunityId":"006Dn00000AbCdE","crmAccountId":"001Dn00000XyZ","customerId":"C-ACME","owner":"dana.whitfield","currency":"EUR","segment":"enterprise","region":"EMEA","legalEntity":"Acme Europe GmbH","timeZone":"Europe/Berlin","priceBookVersion":"2026.1","validFrom":"2026-03-01","validUntil":"2026-03-31"}""",
        ["AddQuoteLineRequest"] = """{"lineId":"L1","productOfferingId":"PLAT-ENT","catalogVersion":"2026.1","quantity":10,"discountPercent":25}""",
        ["ChangeQuoteLineRequest"] = """{"quantity":12,"discountPercent":20}""",
        ["PriceQuoteRequest"] = """{"policyVersion":"P-2026.1"}""",
        ["ReasonRequest"] = """{"reason":"Customer asked for a three-year term"}""",
        ["SendQuoteRequest"] = """{"documentHash":"sha256:9f2c…"}""",
        ["AcceptQuoteRequest"] = """{"revision":1,"acceptanceType":"signature","signer":"Dana Whitfield"}""",
        ["ApprovalDecisionRequest"] = """{"level":"DealDesk","approver":"vic.desk","reason":null}""",
        ["EscalationRequest"] = """{"level":"VicePresident","escalatedTo":"cfo.office","reason":"VP on leave"}""",
        ["PlaceOrderRequest"] = """{"billingAccount":"BA-ACME-EU"}""",
        ["CancelOrderRequest"] = """{"reason":"Customer withdrew before billing"}""",
        ["AcknowledgementRequest"] = """{"billingReference":"INV-000123","billedAmount":11400.00,"currency":"EUR"}""",
        ["FailureRequest"] = """{"reason":"Billing account is closed","retryable":false}""",
        ["ReconcileRequest"] = """{"note":"Credit note CN-88 issued for the difference"}""",
        ["RegisterCustomerRequest"] = """{"customerId":"C-ACME","name":"Acme Corporation","webDomain":"acme.example"}""",
        ["LinkAccountRequest"] = """{"crm":"hubspot","accountId":"84512"}""",
        ["MergeCustomerRequest"] = """{"intoCustomerId":"C-ACME"}""",
        ["PublishCatalogRequest"] = """{"version":"2026.1","offerings":[{"productOfferingId":"PLAT-ENT","name":"Platform Enterprise","listPrices":[{"currency":"EUR","amount":1200.00},{"currency":"USD","amount":1300.00}],"subscription":{"termMonths":12,"evergreen":false}}]}""",
        ["RegisterCrmWebhookRequest"] = """{"url":"https://crm.example/ledger-hooks","secret":"whsec-0123456789abcdef","startAfter":null}""",
        ["ReplayCrmChangesRequest"] = """{"after":1200}""",
        ["PricePreviewRequest"] = """{"currency":"EUR","segment":"enterprise","region":"EMEA","policyVersion":null,"lines":[{"lineId":"L1","productOfferingId":"PLAT-ENT","catalogVersion":"2026.1","quantity":10,"discountPercent":25}]}""",
        ["AmendContractRequest"] = """{"expectedVersion":1,"effectiveDate":"2026-04-01","lines":[{"lineId":"L1","quantity":15},{"lineId":"L4","quantity":2,"productOfferingId":"REPORTS","catalogVersion":"2026.2"}]}""",
        ["DraftAmendmentQuoteRequest"] = """{"expectedVersion":1,"effectiveDate":"2026-04-01","validUntil":"2026-03-31","crmOpportunityId":"006Dn00000AmEnD"}""",
        ["RenewContractRequest"] = """{"expectedVersion":2,"upliftPercent":5}""",
        ["CancelContractRequest"] = """{"expectedVersion":2,"effectiveDate":"2026-10-01","reason":"Customer consolidated onto another platform"}""",
        ["ContractStateReportBatch"] = """{"reports":[{"contractId":"ctr-Q-1001","changes":[{"version":2,"kind":"Amendment"},{"version":3,"kind":"Renewal"}],"observedAt":"2026-12-12T15:00:00Z"}]}""",
        ["PublishPolicyRequest"] = """{"version":"P-2026.1","defaults":{"dealDeskAboveDiscountPercent":10,"vicePresidentAboveDiscountPercent":20,"cfoAboveDiscountPercent":30,"cfoAboveNetTotal":[{"currency":"EUR","amount":500000}]},"overrides":[]}""",
    };

    /// <summary>What a read answers, for the reads whose body the endpoint does not type (they answer an IResult).</summary>
    private static readonly Dictionary<string, string> Reads = new()
    {
        ["crm/{crm}/quotes"] = CrmQuoteView,
        ["crm/{crm}/quotes/{quoteId}"] = CrmQuoteView + " With `contract`: the contract its order started, renews or amends (null when none).",
        ["contracts/{contractId}/view"] =
            "The contract view (ADR/0021, ADR/0029): terms, each change with what billing was handed and answered, renewal and amendment " +
            "quotes, value movements, each with the event it reflects. Nothing of reconciliation: discrepancies, billing records and CRM " +
            "reports are finance's, read from `/reconciliation/discrepancies`.",
    };

    private const string CrmQuoteView =
        "The CRM's quote view (ADR/0029): its own ids, the canonical customer, status, revision, totals, approval progress, accepted " +
        "amount, order and billing state, each value with the event it reflects. Nothing of reconciliation: discrepancies, billing " +
        "records and reported facts are finance's, read from `/reconciliation/discrepancies`.";

    public static OpenApiOptions AddLedgerDescriptions(this OpenApiOptions options) =>
        options.AddOperationTransformer((operation, context, _) =>
        {
            var method = context.Description.HttpMethod ?? "";
            var isHealth = context.Description.RelativePath?.StartsWith("health", StringComparison.Ordinal) == true;
            if (isHealth || context.Description.RelativePath == "about") return Task.CompletedTask;

            if (method == "GET" && context.Description.RelativePath is { } path && Reads.TryGetValue(path, out var read)) operation.Description = read;
            operation.Responses ??= new OpenApiResponses();
            foreach (var (status, description) in Problems)
            {
                if (method != "POST" && status is "400" or "409" or "413" or "422") continue;
                operation.Responses.TryAdd(status, new OpenApiResponse
                {
                    Description = description,
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() },
                });
            }
            if (method == "POST")
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = "Idempotency-Key", In = ParameterLocation.Header, Required = true,
                    Description = "Unique per intended change; a retry with the same key and body gets the first answer.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            }
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "X-Correlation-Id", In = ParameterLocation.Header, Required = false,
                Description = "Carried into every event's metadata and echoed; generated when absent.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });

            var bodyType = context.Description.ParameterDescriptions.FirstOrDefault(p => p.Source.Id == "Body")?.Type?.Name;
            if (bodyType is not null && Examples.TryGetValue(bodyType, out var example)
                && operation.RequestBody?.Content?.TryGetValue("application/json", out var json) == true)
                json.Example = JsonNode.Parse(example);
            return Task.CompletedTask;
        });
}
