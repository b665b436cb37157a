namespace Ledger.Domain.Orders;

public enum OrderStatus { None, Placed, Cancelled, Closed }

public sealed record OrderState(OrderStatus Status, OrderPlaced? Placed)
{
    public static readonly OrderState Initial = new(OrderStatus.None, null);
}
