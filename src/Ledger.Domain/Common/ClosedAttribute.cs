namespace Ledger.Domain.Common;

/// <summary>
/// The cases of this type are the concrete types deriving from it in its assembly, and no others: a switch over it whose
/// default throws must name every case, or the build fails (LEDGER0001, ADR/0026). C# has no closed unions yet; this is ours.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ClosedAttribute : Attribute;
