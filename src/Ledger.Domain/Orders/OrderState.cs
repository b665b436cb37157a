namespace Ledger.Domain.Orders;

public enum OrderStatus { None, Placed, Cancelled, Closed }

public sealed record OrderState(OrderStatus Status, OrderPlaced? Placed)
{
    public static readonly OrderState Initial = new(OrderStatus.None, null);

    /// <summary>The contract an amendment quote's order amends; null for any other order.</summary>
    public OrderAmendsContract? AmendsContract { get; init; }
}
