using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ledger.Domain.Common;

/// <summary>
/// An id that says what it names (ADR/0028): a quote's id is a <see cref="QuoteId"/>, an order's an <see cref="OrderId"/>,
/// so handing an order id to something that wants a quote id does not compile. Each is only its <c>Value</c>: stored and
/// sent as the plain JSON string it always was, printed as that string, and turned into a stream name in one place (its
/// decider's <c>StreamId</c>, reached through <c>Streams</c>). Going out, an id is its string (read models, URLs, logs);
/// coming in, a string becomes an id only by naming its kind (<c>new QuoteId(s)</c>). Nothing is checked on the way in:
/// the deciders refuse an id that is not one (<see cref="Ids.Check"/>) with the field and the rule, as they did for strings.
/// A missing id (<c>QuoteId?</c> null) goes out as a null string: without its own operator the compiler would unwrap it
/// and throw.
/// </summary>
public interface ITypedId<TSelf> where TSelf : struct, ITypedId<TSelf>
{
    /// <summary>The id as stored and sent; null only in <c>default</c>, which no decider accepts.</summary>
    string Value { get; }

    static abstract TSelf From(string value);
}

[JsonConverter(typeof(TypedIdJsonConverter<QuoteId>))]
public readonly record struct QuoteId(string Value) : ITypedId<QuoteId>
{
    public static QuoteId From(string value) => new(value);
    public override string ToString() => Value ?? "";
    public static implicit operator string(QuoteId id) => id.Value;
    public static implicit operator string?(QuoteId? id) => id?.Value;
}

[JsonConverter(typeof(TypedIdJsonConverter<OrderId>))]
public readonly record struct OrderId(string Value) : ITypedId<OrderId>
{
    public static OrderId From(string value) => new(value);
    public override string ToString() => Value ?? "";
    public static implicit operator string(OrderId id) => id.Value;
    public static implicit operator string?(OrderId? id) => id?.Value;
}

[JsonConverter(typeof(TypedIdJsonConverter<ContractId>))]
public readonly record struct ContractId(string Value) : ITypedId<ContractId>
{
    public static ContractId From(string value) => new(value);
    public override string ToString() => Value ?? "";
    public static implicit operator string(ContractId id) => id.Value;
    public static implicit operator string?(ContractId? id) => id?.Value;
}

[JsonConverter(typeof(TypedIdJsonConverter<CustomerId>))]
public readonly record struct CustomerId(string Value) : ITypedId<CustomerId>
{
    public static CustomerId From(string value) => new(value);
    public override string ToString() => Value ?? "";
    public static implicit operator string(CustomerId id) => id.Value;
    public static implicit operator string?(CustomerId? id) => id?.Value;
}

/// <summary>
/// A typed id as the plain JSON string it was before ids were typed, also as a dictionary key, so stored events keep
/// their bytes (StoredEventBytesTests). A JSON null reads as <c>default</c>, as it read as a null string.
/// </summary>
public sealed class TypedIdJsonConverter<TId> : JsonConverter<TId> where TId : struct, ITypedId<TId>
{
    public override bool HandleNull => true;

    public override TId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.String => TId.From(reader.GetString()!),
            JsonTokenType.Null => default,
            _ => throw new JsonException($"An id is a JSON string, not {reader.TokenType}."),
        };

    public override void Write(Utf8JsonWriter writer, TId value, JsonSerializerOptions options)
    {
        if (value.Value is null) writer.WriteNullValue();
        else writer.WriteStringValue(value.Value);
    }

    public override TId ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => TId.From(reader.GetString()!);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, TId value, JsonSerializerOptions options) => writer.WritePropertyName(value.Value);
}
