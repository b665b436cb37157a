using Ledger.EventStore.EventStoreDb;
using Xunit;

namespace Ledger.EventStore.Tests.EventStoreDb;

public sealed class EventStoreDbConnectionStringTests
{
    [Fact]
    public void Insecure_single_node()
    {
        var s = EventStoreDbConnectionString.Parse("esdb://127.0.0.1:2113?tls=false");
        Assert.Equal("127.0.0.1", s.Host);
        Assert.Equal(2113, s.Port);
        Assert.False(s.UseTls);
        Assert.Null(s.Username);
        Assert.Null(s.TlsCaFile);
        Assert.Equal(new Uri("http://127.0.0.1:2113"), s.Address);
        Assert.Equal(TimeSpan.FromSeconds(10), s.DefaultDeadline);
    }

    [Fact]
    public void The_maximum_append_size_defaults_to_the_servers_1_MiB_and_a_stream_prefix_to_none()
    {
        var plain = EventStoreDbConnectionString.Parse("esdb://127.0.0.1:2113?tls=false");
        Assert.Equal(1024 * 1024, plain.MaxAppendSize);
        Assert.Equal("", plain.StreamPrefix);

        var set = EventStoreDbConnectionString.Parse("esdb://127.0.0.1:2113?tls=false&maxAppendSize=4194304&streamPrefix=tenant%2Fa.");
        Assert.Equal(4 * 1024 * 1024, set.MaxAppendSize);
        Assert.Equal("tenant/a.", set.StreamPrefix);
        Assert.Equal(set, EventStoreDbConnectionString.Parse(set.ToString()));

        Assert.Contains("maxAppendSize", Assert.Throws<FormatException>(() => EventStoreDbConnectionString.Parse("esdb://h?maxAppendSize=0")).Message);
        Assert.Contains("maxAppendSize", Assert.Throws<FormatException>(() => EventStoreDbConnectionString.Parse("esdb://h?maxAppendSize=1MiB")).Message);
        Assert.Contains("streamPrefix", Assert.Throws<FormatException>(() => EventStoreDbConnectionString.Parse("esdb://h?streamPrefix=%24all")).Message);
    }

    [Fact]
    public void Tls_is_the_default_and_the_port_defaults_to_2113()
    {
        var s = EventStoreDbConnectionString.Parse("esdb://esdb.internal");
        Assert.True(s.UseTls);
        Assert.True(s.TlsVerifyCert);
        Assert.Equal(2113, s.Port);
        Assert.Equal(new Uri("https://esdb.internal:2113"), s.Address);
    }

    [Fact]
    public void Tls_with_a_ca_file_and_credentials()
    {
        var s = EventStoreDbConnectionString.Parse(
            "esdb://admin:changeit@node1.example:2114?tls=true&tlsCaFile=/etc/esdb/ca.crt&defaultDeadline=2500");
        Assert.Equal("node1.example", s.Host);
        Assert.Equal(2114, s.Port);
        Assert.True(s.UseTls);
        Assert.Equal("/etc/esdb/ca.crt", s.TlsCaFile);
        Assert.Equal("admin", s.Username);
        Assert.Equal("changeit", s.Password);
        Assert.True(s.HasCredentials);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), s.DefaultDeadline);
    }

    [Fact]
    public void Option_names_are_case_insensitive_and_values_are_unescaped()
    {
        var s = EventStoreDbConnectionString.Parse("ESDB://us%40er:p%3Ass%40w@host?TLS=False&TlsVerifyCert=FALSE");
        Assert.Equal("us@er", s.Username);
        Assert.Equal("p:ss@w", s.Password);
        Assert.False(s.UseTls);
        Assert.False(s.TlsVerifyCert);
    }

    [Fact]
    public void A_password_may_contain_an_at_sign_unescaped()
    {
        var s = EventStoreDbConnectionString.Parse("esdb://ops:p@ss@host:2113?tls=false");
        Assert.Equal("ops", s.Username);
        Assert.Equal("p@ss", s.Password);
        Assert.Equal("host", s.Host);
    }

    [Fact]
    public void Ipv6_host()
    {
        var s = EventStoreDbConnectionString.Parse("esdb://[::1]:2120?tls=false");
        Assert.Equal("::1", s.Host);
        Assert.Equal(2120, s.Port);
        Assert.Equal(new Uri("http://[::1]:2120"), s.Address);
    }

    [Fact]
    public void A_trailing_slash_is_allowed()
    {
        var s = EventStoreDbConnectionString.Parse("esdb://localhost:2113/?tls=false");
        Assert.Equal("localhost", s.Host);
        Assert.False(s.UseTls);
    }

    [Fact]
    public void Several_nodes_are_a_clusters_gossip_seeds_and_discovery_resolves_one_name()
    {
        var seeds = EventStoreDbConnectionString.Parse("esdb://a:2121,b,[::1]:2123?tls=false&nodePreference=follower");
        Assert.True(seeds.IsCluster);
        Assert.False(seeds.Discover);
        Assert.Equal([("a", 2121), ("b", 2113), ("::1", 2123)], seeds.Nodes);
        Assert.Equal(("a", 2121), (seeds.Host, seeds.Port));
        Assert.Equal(NodePreference.Follower, seeds.NodePreference);
        Assert.Equal("esdb://a:2121,b:2113,[::1]:2123?tls=false&nodePreference=follower", seeds.ToString());
        Assert.Equal(seeds.ToString(), EventStoreDbConnectionString.Parse(seeds.ToString()).ToString());

        var discover = EventStoreDbConnectionString.Parse("esdb+discover://cluster.example:2113");
        Assert.True(discover.IsCluster);
        Assert.True(discover.Discover);
        Assert.Equal(NodePreference.Leader, discover.NodePreference);
        Assert.Equal("esdb+discover://cluster.example:2113?tls=true", discover.ToString());

        var one = EventStoreDbConnectionString.Parse("esdb://host:2113?nodePreference=leader");
        Assert.False(one.IsCluster);
    }

    [Theory]
    [InlineData("")]
    [InlineData("http://localhost:2113")]
    [InlineData("esdb://")]
    [InlineData("esdb://a:2113,,c:2113")]
    [InlineData("esdb://a:2113,b:99999")]
    [InlineData("esdb://host:99999")]
    [InlineData("esdb://host:abc")]
    [InlineData("esdb://host?tls=maybe")]
    [InlineData("esdb://host?tls")]
    [InlineData("esdb://host?nodePreference=readOnlyReplica")]
    [InlineData("esdb://host?tls=false&tlsCaFile=/ca.crt")]
    [InlineData("esdb://host?defaultDeadline=-5")]
    [InlineData("esdb://useronly@host")]
    [InlineData("esdb://host/path")]
    public void Rejects(string text)
    {
        Assert.Throws<FormatException>(() => EventStoreDbConnectionString.Parse(text));
        Assert.False(EventStoreDbConnectionString.TryParse(text, out _));
    }

    [Fact]
    public void Errors_and_ToString_never_show_the_password()
    {
        var ex = Assert.Throws<FormatException>(() =>
            EventStoreDbConnectionString.Parse("esdb://admin:s3cret@host?bogus=1"));
        Assert.DoesNotContain("s3cret", ex.Message);

        var s = EventStoreDbConnectionString.Parse("esdb://admin:s3cret@host:2113?tls=false");
        Assert.DoesNotContain("s3cret", s.ToString());
        Assert.Equal("esdb://admin:***@host:2113?tls=false", s.ToString());
    }

    [Fact]
    public void ToString_round_trips_the_options()
    {
        var s = EventStoreDbConnectionString.Parse("esdb://host:2115?tlsCaFile=/ca.pem&defaultDeadline=3000");
        Assert.Equal(s, EventStoreDbConnectionString.Parse(s.ToString()));
    }
}
