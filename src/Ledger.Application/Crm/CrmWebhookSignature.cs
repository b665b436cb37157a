using System.Security.Cryptography;
using System.Text;

namespace Ledger.Application.Crm;

/// <summary>
/// The <c>Ledger-Signature</c> header, in the style Stripe uses: <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256&gt;</c>, the HMAC
/// keyed by the subscription's secret over <c>"{t}.{body}"</c>. The timestamp is signed so that a receiver can refuse an old
/// request replayed; the delivery id inside the body lets it refuse the same request twice.
/// </summary>
public static class CrmWebhookSignature
{
    public const string Header = "Ledger-Signature";
    public const string DeliveryIdHeader = "Ledger-Delivery-Id";

    public static string Sign(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var signed = Encoding.UTF8.GetBytes($"{unixSeconds}.").Concat(body.ToArray()).ToArray();
        return $"t={unixSeconds},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed))}";
    }
}
