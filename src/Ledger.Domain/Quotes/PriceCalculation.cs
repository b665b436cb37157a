using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ledger.Domain.Common;

namespace Ledger.Domain.Quotes;

/// <summary>
/// Prices quote lines: list amount = list price × quantity, discount = list amount × percent, net = list − discount,
/// each rounded to the currency's minor unit before it is summed, so totals equal the sum of what lines show.
/// </summary>
public static class PriceCalculation
{
    public static PriceSnapshot Price(string currencyCode, IReadOnlyList<QuoteLine> lines, string policyVersion)
    {
        var currency = Currency.Of(currencyCode);
        var priced = lines.Select(line =>
        {
            var listAmount = currency.Round(line.ListPrice * line.Quantity);
            var discountAmount = currency.Round(listAmount * line.DiscountPercent / 100m);
            return new PricedLine(line.LineId, line.ProductOfferingId, line.CatalogVersion, line.Quantity, line.ListPrice,
                line.DiscountPercent, listAmount, discountAmount, listAmount - discountAmount);
        }).ToList();

        var listTotal = priced.Sum(l => l.ListAmount);
        var discountTotal = priced.Sum(l => l.DiscountAmount);
        var netTotal = priced.Sum(l => l.NetAmount);
        var maxDiscount = priced.Count == 0 ? 0m : priced.Max(l => l.DiscountPercent);
        var unhashed = new PriceSnapshot(currencyCode, priced, listTotal, discountTotal, netTotal, maxDiscount, policyVersion, "");
        return unhashed with { Hash = Hash(unhashed) };
    }

    /// <summary>sha-256 over a canonical text of the calculation; numbers are normalised (1.50 and 1.5 hash alike).</summary>
    public static string Hash(PriceSnapshot snapshot)
    {
        var text = new StringBuilder()
            .Append(snapshot.Currency).Append('|').Append(snapshot.PolicyVersion).Append('|')
            .Append(N(snapshot.ListTotal)).Append('|').Append(N(snapshot.DiscountTotal)).Append('|').Append(N(snapshot.NetTotal));
        foreach (var l in snapshot.Lines)
            text.Append('\n').AppendJoin('|', l.LineId, l.ProductOfferingId, l.CatalogVersion, N(l.Quantity), N(l.ListPrice),
                N(l.DiscountPercent), N(l.ListAmount), N(l.DiscountAmount), N(l.NetAmount));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static string N(decimal value) => (value / 1.0000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);
}
