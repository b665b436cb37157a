using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Ledger.EventStore.EventStoreDb.Protocol;

namespace Ledger.EventStore.EventStoreDb;

/// <summary>One HTTP/2 channel to one node, with the call options every request carries.</summary>
internal sealed class EventStoreDbChannel : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly string? _authorization;
    private readonly bool _requiresLeader;

    public EventStoreDbChannel(EventStoreDbConnectionString settings) : this(settings, settings.Host, settings.Port, requiresLeader: true) { }

    /// <param name="requiresLeader">
    /// Whether the node must be the leader to answer: a follower then replies not-leader (naming the leader) instead of
    /// serving a read that may be behind. False only for the reads a connection string sends to followers on purpose.
    /// </param>
    public EventStoreDbChannel(EventStoreDbConnectionString settings, string host, int port, bool requiresLeader)
    {
        Settings = settings;
        Endpoint = (host, port);
        _requiresLeader = requiresLeader;
        if (!settings.UseTls)
            // gRPC over cleartext HTTP/2 (prior knowledge), as an --insecure node speaks it.
            AppContext.SetSwitch("System.Net.Http.SocketsHttpHandler.Http2UnencryptedSupport", true);

        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        if (settings.UseTls)
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = CertificateValidator(settings),
            };

        _channel = GrpcChannel.ForAddress(settings.AddressOf(host, port), new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = 17 * 1024 * 1024, // ESDB events may be up to 16 MiB.
        });
        Streams = new Streams.StreamsClient(_channel);
        Gossip = new Gossip.GossipClient(_channel);
        Appender = new EventStoreDbBatchAppender(this);

        if (settings.Username is not null)
            _authorization = "Basic " + Convert.ToBase64String(
                Encoding.UTF8.GetBytes($"{settings.Username}:{settings.Password}"));
    }

    public EventStoreDbConnectionString Settings { get; }

    public (string Host, int Port) Endpoint { get; }

    public Streams.StreamsClient Streams { get; }

    public Gossip.GossipClient Gossip { get; }

    /// <summary>Appends over this node's one BatchAppend call.</summary>
    public EventStoreDbBatchAppender Appender { get; }

    /// <summary>Options for a call that must finish within the default deadline.</summary>
    public CallOptions Bounded(CancellationToken cancellationToken) =>
        new(Headers(), DateTime.UtcNow + Settings.DefaultDeadline, cancellationToken);

    /// <summary>Options for a subscription: no deadline, it lives until cancelled.</summary>
    public CallOptions Unbounded(CancellationToken cancellationToken) =>
        new(Headers(), null, cancellationToken);

    private Metadata Headers()
    {
        // By default only the leader answers: a follower replies not-leader instead of serving possibly stale reads,
        // which the hash chain's read-then-append would turn into needless conflicts.
        var headers = new Metadata { { "requires-leader", _requiresLeader ? "true" : "false" } };
        if (_authorization is not null) headers.Add("authorization", _authorization);
        return headers;
    }

    private static RemoteCertificateValidationCallback CertificateValidator(EventStoreDbConnectionString settings)
    {
        if (!settings.TlsVerifyCert) return (_, _, _, _) => true;
        if (settings.TlsCaFile is null) return (_, _, _, errors) => errors == SslPolicyErrors.None;

        var ca = LoadCertificate(settings.TlsCaFile);
        return (_, certificate, _, errors) =>
        {
            if (certificate is null) return false;
            // The host name must still match; only the trust anchor is ours.
            if ((errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
                return false;
            if (errors == SslPolicyErrors.None) return true;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var leaf = new X509Certificate2(certificate);
            return chain.Build(leaf);
        };
    }

    private static X509Certificate2 LoadCertificate(string path)
    {
        try
        {
            return X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new EventStoreDbException($"Cannot read the CA certificate in tlsCaFile '{path}': {ex.Message}", null, ex);
        }
    }

    public void Dispose()
    {
        Appender.Dispose();
        _channel.Dispose();
    }
}
