namespace Ledger.Domain.Common;

/// <summary>An ISO 4217 currency and how many minor units it has (USD 2, JPY 0, BHD 3).</summary>
public sealed record Currency(string Code, int MinorUnits)
{
    private static readonly Dictionary<string, Currency> Known = new[]
    {
        ("USD", 2), ("EUR", 2), ("GBP", 2), ("CHF", 2), ("CAD", 2), ("AUD", 2), ("NZD", 2), ("SEK", 2), ("NOK", 2),
        ("DKK", 2), ("PLN", 2), ("CZK", 2), ("INR", 2), ("CNY", 2), ("SGD", 2), ("HKD", 2), ("BRL", 2), ("MXN", 2),
        ("ZAR", 2), ("AED", 2), ("ILS", 2), ("JPY", 0), ("KRW", 0), ("CLP", 0), ("ISK", 0), ("HUF", 2),
        ("BHD", 3), ("KWD", 3), ("OMR", 3), ("JOD", 3), ("TND", 3),
    }.ToDictionary(c => c.Item1, c => new Currency(c.Item1, c.Item2), StringComparer.Ordinal);

    public static bool TryParse(string? code, out Currency currency) =>
        Known.TryGetValue(code ?? "", out currency!);

    public static bool IsKnown(string? code) => Known.ContainsKey(code ?? "");

    public static Currency Of(string code) =>
        TryParse(code, out var currency) ? currency : throw new ArgumentException($"'{code}' is not an ISO 4217 currency the ledger knows.", nameof(code));

    /// <summary>
    /// Rounds to the currency's minor unit, half away from zero (0.005 USD → 0.01): the convention of invoices,
    /// and the one billing systems apply, so ledger and billing agree to the cent (ADR/0008).
    /// </summary>
    public decimal Round(decimal amount) => Math.Round(amount, MinorUnits, MidpointRounding.AwayFromZero);

    public override string ToString() => Code;
}

/// <summary>An amount in one currency. Arithmetic across currencies is refused, never converted.</summary>
public readonly record struct Money(decimal Amount, string Currency)
{
    public static Money Zero(string currency) => new(0m, currency);

    public static Money operator +(Money a, Money b) => new(a.Amount + b.Amount, Same(a, b));

    public static Money operator -(Money a, Money b) => new(a.Amount - b.Amount, Same(a, b));

    public Money Rounded() => this with { Amount = Common.Currency.Of(Currency).Round(Amount) };

    private static string Same(Money a, Money b) =>
        a.Currency == b.Currency ? a.Currency : throw new InvalidOperationException($"Cannot mix {a.Currency} and {b.Currency}.");

    public override string ToString() => $"{Amount} {Currency}";
}
