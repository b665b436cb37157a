namespace Ledger.Application.Crm;

/// <summary>
/// Where one CRM wants its changes pushed (ADR/0020): a Marten document keyed by the CRM, not an event, because it holds the
/// signing secret, which must be replaceable and must never enter the immutable, replicated, auditor-readable log.
/// </summary>
public sealed class CrmWebhookSubscription
{
    /// <summary>The CRM (one subscription per CRM).</summary>
    public string Id { get; set; } = "";

    public string Url { get; set; } = "";

    /// <summary>The HMAC key both sides hold. Never logged, never answered: responses say only that one is set.</summary>
    public string Secret { get; set; } = "";

    /// <summary>Changes at or before this log position are not pushed to a quote that has no delivery cursor yet.</summary>
    public long StartAfter { get; set; }

    public DateTimeOffset RegisteredAt { get; set; }

    public string RegisteredBy { get; set; } = "";
}

/// <summary>
/// <c>Ledger:CrmWebhooks:RetryDelaysSeconds</c> (waits after each failed attempt; when they run out the quote's delivery is
/// dead-lettered), <c>RequestTimeoutSeconds</c> (one call) and <c>PollMilliseconds</c> (how often due deliveries are looked for).
/// </summary>
public sealed record CrmWebhookSettings(IReadOnlyList<TimeSpan> RetryDelays, TimeSpan RequestTimeout, TimeSpan PollInterval)
{
    public const string HttpClientName = "crm-webhooks";

    /// <summary>Attempts before a delivery is dead-lettered: the first, and one after each delay.</summary>
    public int MaxAttempts => RetryDelays.Count + 1;
}
