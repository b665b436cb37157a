using System.Globalization;

namespace Ledger.EventStore.EventStoreDb;

/// <summary>
/// A single-node EventStoreDB address in the usual connection-string form:
/// <c>esdb://[user:password@]host[:port][?tls=false][&amp;tlsCaFile=path][&amp;tlsVerifyCert=false][&amp;defaultDeadline=ms]
/// [&amp;maxAppendSize=bytes][&amp;streamPrefix=text]</c>.
/// TLS is on unless <c>tls=false</c>; the port defaults to 2113. Gossip discovery (<c>esdb+discover://</c>)
/// and several hosts are not supported (ADR/0006).
/// </summary>
public sealed record EventStoreDbConnectionString
{
    public const int DefaultPort = 2113;
    public static readonly TimeSpan DefaultDeadlineValue = TimeSpan.FromSeconds(10);

    public required string Host { get; init; }
    public int Port { get; init; } = DefaultPort;
    public bool UseTls { get; init; } = true;
    /// <summary>A PEM or DER file with the CA certificate the server's certificate must chain to.</summary>
    public string? TlsCaFile { get; init; }
    /// <summary>False accepts any server certificate (test setups only).</summary>
    public bool TlsVerifyCert { get; init; } = true;
    public string? Username { get; init; }
    public string? Password { get; init; }
    /// <summary>How long a single append or bounded read may take before it fails.</summary>
    public TimeSpan DefaultDeadline { get; init; } = DefaultDeadlineValue;

    /// <summary>EventStoreDB's own default <c>MaxAppendSize</c>: 1 MiB.</summary>
    public const long DefaultMaxAppendSize = 1024 * 1024;

    /// <summary>
    /// The server's <c>--max-append-size</c> as the ledger assumes it: an append whose events (data, metadata and type
    /// names) are larger is refused before it is sent. Set it to the server's value when the server is started with another.
    /// </summary>
    public long MaxAppendSize { get; init; } = DefaultMaxAppendSize;

    /// <summary>
    /// Put before every stream name the ledger writes, and required of every stream it reads from <c>$all</c>: several
    /// ledgers (test runs, environments) share one server without seeing each other's streams. Empty: the whole server.
    /// </summary>
    public string StreamPrefix { get; init; } = "";

    public Uri Address => new($"{(UseTls ? "https" : "http")}://{FormatHost(Host)}:{Port}");

    public bool HasCredentials => Username is not null;

    public static EventStoreDbConnectionString Parse(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var text = connectionString.Trim();

        const string scheme = "esdb://";
        if (text.StartsWith("esdb+discover://", StringComparison.OrdinalIgnoreCase))
            throw Invalid(connectionString, "gossip discovery (esdb+discover://) is not supported; name one node with esdb://");
        if (!text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            throw Invalid(connectionString, "it must start with esdb://");
        var rest = text[scheme.Length..];

        var queryStart = rest.IndexOf('?');
        var query = queryStart < 0 ? "" : rest[(queryStart + 1)..];
        var authority = queryStart < 0 ? rest : rest[..queryStart];
        authority = authority.TrimEnd('/');

        string? username = null, password = null;
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            authority = authority[(at + 1)..];
            var colon = userInfo.IndexOf(':');
            if (colon <= 0)
                throw Invalid(connectionString, "credentials must be written as username:password@");
            username = Uri.UnescapeDataString(userInfo[..colon]);
            password = Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        }

        if (authority.Length == 0) throw Invalid(connectionString, "it names no host");
        if (authority.Contains(','))
            throw Invalid(connectionString, "several hosts (a cluster) are not supported; name one node");
        if (authority.Contains('/'))
            throw Invalid(connectionString, "a path after the host is not allowed");

        var (host, port) = SplitHostPort(connectionString, authority);

        var result = new EventStoreDbConnectionString { Host = host, Port = port, Username = username, Password = password };
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) throw Invalid(connectionString, $"option '{pair}' has no value");
            var key = Uri.UnescapeDataString(pair[..eq]);
            var value = Uri.UnescapeDataString(pair[(eq + 1)..]);
            result = key.ToLowerInvariant() switch
            {
                "tls" => result with { UseTls = ParseBool(connectionString, key, value) },
                "tlsverifycert" => result with { TlsVerifyCert = ParseBool(connectionString, key, value) },
                "tlscafile" => result with { TlsCaFile = value.Length == 0 ? throw Invalid(connectionString, "tlsCaFile is empty") : value },
                "defaultdeadline" => result with { DefaultDeadline = ParseDeadline(connectionString, value) },
                "maxappendsize" => result with { MaxAppendSize = ParseMaxAppendSize(connectionString, value) },
                "streamprefix" => result with { StreamPrefix = ParseStreamPrefix(connectionString, value) },
                _ => throw Invalid(connectionString, $"option '{key}' is not supported (supported: tls, tlsCaFile, tlsVerifyCert, defaultDeadline, maxAppendSize, streamPrefix)"),
            };
        }

        if (!result.UseTls && result.TlsCaFile is not null)
            throw Invalid(connectionString, "tlsCaFile needs tls=true");
        return result;
    }

    public static bool TryParse(string connectionString, out EventStoreDbConnectionString? result)
    {
        try
        {
            result = Parse(connectionString);
            return true;
        }
        catch (FormatException)
        {
            result = null;
            return false;
        }
    }

    /// <summary>The connection string again, with the password hidden (for logs and messages).</summary>
    public override string ToString()
    {
        var credentials = Username is null ? "" : $"{Uri.EscapeDataString(Username)}:***@";
        var options = new List<string> { $"tls={(UseTls ? "true" : "false")}" };
        if (TlsCaFile is not null) options.Add($"tlsCaFile={TlsCaFile}");
        if (!TlsVerifyCert) options.Add("tlsVerifyCert=false");
        if (DefaultDeadline != DefaultDeadlineValue)
            options.Add($"defaultDeadline={(long)DefaultDeadline.TotalMilliseconds}");
        if (MaxAppendSize != DefaultMaxAppendSize) options.Add($"maxAppendSize={MaxAppendSize}");
        if (StreamPrefix.Length > 0) options.Add($"streamPrefix={Uri.EscapeDataString(StreamPrefix)}");
        return $"esdb://{credentials}{FormatHost(Host)}:{Port}?{string.Join('&', options)}";
    }

    private static (string Host, int Port) SplitHostPort(string connectionString, string authority)
    {
        string host;
        string? portText = null;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0) throw Invalid(connectionString, "an IPv6 host is missing ']'");
            host = authority[1..close];
            var after = authority[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':') throw Invalid(connectionString, "unexpected text after the IPv6 host");
                portText = after[1..];
            }
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            portText = colon < 0 ? null : authority[(colon + 1)..];
        }
        if (host.Length == 0) throw Invalid(connectionString, "it names no host");
        if (portText is null) return (host, DefaultPort);
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw Invalid(connectionString, $"'{portText}' is not a port");
        return (host, port);
    }

    private static bool ParseBool(string connectionString, string key, string value) =>
        value.ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw Invalid(connectionString, $"{key} must be true or false, not '{value}'"),
        };

    private static TimeSpan ParseDeadline(string connectionString, string value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? TimeSpan.FromMilliseconds(ms)
            : throw Invalid(connectionString, $"defaultDeadline must be a positive number of milliseconds, not '{value}'");

    private static long ParseMaxAppendSize(string connectionString, string value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes > 0
            ? bytes
            : throw Invalid(connectionString, $"maxAppendSize must be a positive number of bytes, not '{value}'");

    // '$' starts EventStoreDB's system streams; a prefix must not make the ledger's streams look like one.
    private static string ParseStreamPrefix(string connectionString, string value) =>
        value.StartsWith('$') || value.Any(char.IsControl)
            ? throw Invalid(connectionString, "streamPrefix must not start with '$' or hold control characters")
            : value;

    private static string FormatHost(string host) => host.Contains(':') ? $"[{host}]" : host;

    // The message never repeats the input: it may carry a password.
    private static FormatException Invalid(string connectionString, string reason) =>
        new($"Invalid EventStoreDB connection string: {reason}.");
}
