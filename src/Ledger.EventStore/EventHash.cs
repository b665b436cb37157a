using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NodaTime.Text;

namespace Ledger.EventStore;

/// <summary>
/// sha-256 over type, canonical JSON data, metadata and the previous hash. Data is canonicalised
/// (keys sorted, no white space) because PostgreSQL's jsonb does not keep the bytes it was given,
/// and a verifier must get the same hash from what either backend hands back.
/// </summary>
public static class EventHash
{
    public static string Compute(string type, ReadOnlySpan<byte> data, EventMetadata metadata, string previousHash)
    {
        var text = new StringBuilder()
            .Append(type).Append('\n')
            .Append(CanonicalJson.Write(data)).Append('\n')
            .Append(metadata.CorrelationId).Append('\n')
            .Append(metadata.CausationId).Append('\n')
            .Append(metadata.Actor).Append('\n')
            .Append(metadata.SourceSystem).Append('\n')
            .Append(metadata.IdempotencyKey ?? "").Append('\n')
            .Append(InstantPattern.ExtendedIso.Format(metadata.RecordedAt)).Append('\n')
            .Append(metadata.SchemaVersion).Append('\n')
            .Append(previousHash)
            .ToString();
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Recomputes the hash of a stored event; a mismatch means the event or its chain was altered.</summary>
    public static bool Verify(RecordedEvent e)
    {
        try
        {
            return Compute(e.Type, e.Data.Span, e.Metadata, e.PreviousHash) == e.Hash;
        }
        catch (JsonException)
        {
            return false; // data that is not JSON was never hashed by the ledger
        }
    }
}

public static class CanonicalJson
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = false,
        // One fixed escaping rule, whatever escaping the stored text used.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        using var document = JsonDocument.ParseValue(ref reader);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
            WriteElement(writer, document.RootElement);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteElement(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteElement(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray()) WriteElement(writer, item);
                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(element.GetString());
                break;
            case JsonValueKind.Number:
                // Keep the number's own text: 1.50 and 1.5 are different facts about money.
                writer.WriteRawValue(element.GetRawText(), skipInputValidation: true);
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
