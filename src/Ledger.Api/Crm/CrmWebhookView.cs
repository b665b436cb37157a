using Ledger.Application.Crm;

namespace Ledger.Api.Crm;

/// <summary>A subscription as answered: the secret only as "set", never its value.</summary>
public sealed record CrmWebhookView(string Crm, string Url, bool SecretSet, long StartAfter, DateTimeOffset RegisteredAt, string RegisteredBy)
{
    public static CrmWebhookView Of(CrmWebhookSubscription subscription) => new(subscription.Id, subscription.Url, subscription.Secret.Length > 0,
        subscription.StartAfter, subscription.RegisteredAt, subscription.RegisteredBy);
}
