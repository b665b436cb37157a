using System.Diagnostics.Metrics;

namespace Ledger.Application.Crm;

/// <summary>Webhook deliveries by CRM and outcome, and (from the latest health reading) the quotes dead-lettered per CRM.</summary>
public sealed class CrmPushMetrics : IDisposable
{
    public const string MeterName = "Ledger.CrmPush";
    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _deliveries;
    private volatile IReadOnlyDictionary<string, long> _deadLetters = new Dictionary<string, long>();

    public CrmPushMetrics()
    {
        _deliveries = _meter.CreateCounter<long>("ledger.crm_webhooks.deliveries", "{delivery}", "Webhook delivery attempts, per CRM and outcome (acknowledged, failed, dead-lettered).");
        _meter.CreateObservableGauge("ledger.crm_webhooks.dead_letters",
            () => _deadLetters.Select(d => new Measurement<long>(d.Value, new KeyValuePair<string, object?>("crm", d.Key))),
            "{quote}", "Quotes whose webhook delivery ran out of attempts, per CRM.");
    }

    public void Delivered(string crm, string outcome) =>
        _deliveries.Add(1, new KeyValuePair<string, object?>("crm", crm), new KeyValuePair<string, object?>("outcome", outcome));

    public void Record(IReadOnlyDictionary<string, long> deadLetters) => _deadLetters = deadLetters;

    public void Dispose() => _meter.Dispose();
}
