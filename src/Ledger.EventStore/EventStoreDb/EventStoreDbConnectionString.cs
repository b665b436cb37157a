using System.Globalization;

namespace Ledger.EventStore.EventStoreDb;

/// <summary>
/// An EventStoreDB node or cluster in the usual connection-string form:
/// <c>esdb://[user:password@]host[:port][,host[:port]…][?tls=false][&amp;tlsCaFile=path][&amp;tlsVerifyCert=false]
/// [&amp;defaultDeadline=ms][&amp;maxAppendSize=bytes][&amp;streamPrefix=text][&amp;nodePreference=leader|follower]</c>, or
/// <c>esdb+discover://host[:port]…</c> where the host's DNS names the cluster's members.
/// TLS is on unless <c>tls=false</c>; the port defaults to 2113. With several hosts, or discovery, they are gossip seeds:
/// the ledger asks them for the cluster's members, writes to the leader and follows it when it changes (ADR/0006).
/// </summary>
public sealed record EventStoreDbConnectionString
{
    public const int DefaultPort = 2113;
    public static readonly TimeSpan DefaultDeadlineValue = TimeSpan.FromSeconds(10);

    /// <summary>The first node named (the only one, for a single node).</summary>
    public required string Host { get; init; }
    public int Port { get; init; } = DefaultPort;
    /// <summary>Every node named, the first included: the gossip seeds of a cluster.</summary>
    public IReadOnlyList<(string Host, int Port)> Nodes { get; init; } = [];
    /// <summary><c>esdb+discover://</c>: the named host's DNS addresses are the seeds.</summary>
    public bool Discover { get; init; }
    /// <summary>Whether the ledger finds the leader through gossip (several nodes, or discovery), instead of talking to the one node named.</summary>
    public bool IsCluster => Discover || Nodes.Count > 1;
    /// <summary>Where reads go: the leader (the default: what the ledger decides on is never stale), or a follower when asked.</summary>
    public NodePreference NodePreference { get; init; } = NodePreference.Leader;
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

    public Uri Address => AddressOf(Host, Port);

    public Uri AddressOf(string host, int port) => new($"{(UseTls ? "https" : "http")}://{FormatHost(host)}:{port}");

    public bool HasCredentials => Username is not null;

    public static EventStoreDbConnectionString Parse(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var text = connectionString.Trim();

        const string scheme = "esdb://";
        const string discoverScheme = "esdb+discover://";
        var discover = text.StartsWith(discoverScheme, StringComparison.OrdinalIgnoreCase);
        if (!discover && !text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            throw Invalid(connectionString, "it must start with esdb:// or esdb+discover://");
        var rest = text[(discover ? discoverScheme : scheme).Length..];

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
        if (authority.Contains('/'))
            throw Invalid(connectionString, "a path after the host is not allowed");

        // Several nodes: a cluster's gossip seeds (ADR/0006).
        var nodes = authority.Split(',').Select(node => SplitHostPort(connectionString, node.Trim())).ToList();

        var result = new EventStoreDbConnectionString
        {
            Host = nodes[0].Host, Port = nodes[0].Port, Nodes = nodes, Discover = discover, Username = username, Password = password,
        };
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
                "nodepreference" => result with { NodePreference = ParseNodePreference(connectionString, value) },
                _ => throw Invalid(connectionString, $"option '{key}' is not supported (supported: tls, tlsCaFile, tlsVerifyCert, defaultDeadline, maxAppendSize, streamPrefix, nodePreference)"),
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

    /// <summary>Equal when they say the same (the list of nodes compared by its items, not by reference).</summary>
    public bool Equals(EventStoreDbConnectionString? other) =>
        other is not null && ToString() == other.ToString() && Password == other.Password;

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

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
        if (NodePreference != NodePreference.Leader) options.Add("nodePreference=follower");
        var nodes = string.Join(',', (Nodes.Count == 0 ? [(Host, Port)] : Nodes).Select(n => $"{FormatHost(n.Host)}:{n.Port}"));
        return $"{(Discover ? "esdb+discover" : "esdb")}://{credentials}{nodes}?{string.Join('&', options)}";
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

    private static NodePreference ParseNodePreference(string connectionString, string value) =>
        value.ToLowerInvariant() switch
        {
            "leader" => NodePreference.Leader,
            "follower" => NodePreference.Follower,
            _ => throw Invalid(connectionString, $"nodePreference '{value}' is not supported (leader or follower)"),
        };

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

/// <summary>Which member of a cluster serves reads; appends always go to the leader.</summary>
public enum NodePreference
{
    Leader,
    Follower,
}
