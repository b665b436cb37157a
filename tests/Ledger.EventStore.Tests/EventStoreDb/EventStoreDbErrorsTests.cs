using System.Security.Authentication;
using Grpc.Core;
using Ledger.EventStore.EventStoreDb;
using Xunit;

namespace Ledger.EventStore.Tests.EventStoreDb;

public sealed class EventStoreDbErrorsTests
{
    private static readonly EventStoreDbConnectionString Settings = EventStoreDbConnectionString.Parse("esdb://node2:2113?tls=false");

    private static RpcException Error(StatusCode code, string? key = null, Exception? inner = null, params (string, string)[] trailers)
    {
        var metadata = new Metadata();
        if (key is not null) metadata.Add("exception", key);
        foreach (var (k, v) in trailers) metadata.Add(k, v);
        return new RpcException(new Status(code, "detail", inner), metadata);
    }

    [Fact]
    public void Not_leader_is_unavailable_and_names_the_leader()
    {
        var ex = EventStoreDbErrors.Translate(
            Error(StatusCode.NotFound, "not-leader", null, ("leader-endpoint-host", "node1"), ("leader-endpoint-port", "2113")),
            "append to 's'", Settings);
        var unavailable = Assert.IsType<EventStoreDbUnavailableException>(ex);
        Assert.Equal("node1:2113", unavailable.LeaderEndpoint);
        Assert.Equal("not-leader", unavailable.ExceptionKey);
        Assert.Contains("not the leader", unavailable.Message);
    }

    [Fact]
    public void Deadline_and_unavailable_are_typed_as_unavailable()
    {
        Assert.IsType<EventStoreDbUnavailableException>(
            EventStoreDbErrors.Translate(Error(StatusCode.DeadlineExceeded), "append", Settings));
        Assert.IsType<EventStoreDbUnavailableException>(
            EventStoreDbErrors.Translate(Error(StatusCode.Unavailable), "read", Settings));
        // ESDB's own commit timeout.
        Assert.IsType<EventStoreDbUnavailableException>(
            EventStoreDbErrors.Translate(Error(StatusCode.Aborted), "append", Settings));
    }

    [Theory]
    [InlineData(StatusCode.PermissionDenied, "access-denied")]
    [InlineData(StatusCode.FailedPrecondition, "stream-deleted")]
    [InlineData(StatusCode.InvalidArgument, "maximum-append-size-exceeded")]
    [InlineData(StatusCode.Unauthenticated, null)]
    [InlineData(StatusCode.Unknown, null)]
    public void Refusals_are_not_unavailability(StatusCode code, string? key)
    {
        var ex = EventStoreDbErrors.Translate(Error(code, key), "append", Settings);
        Assert.IsNotType<EventStoreDbUnavailableException>(ex);
        Assert.Equal(key, ex.ExceptionKey);
    }

    [Fact]
    public void Only_connection_node_and_deadline_failures_are_retried_by_a_subscription()
    {
        Assert.True(EventStoreDbErrors.IsTransient(Error(StatusCode.Unavailable)));
        Assert.True(EventStoreDbErrors.IsTransient(Error(StatusCode.DeadlineExceeded)));
        Assert.True(EventStoreDbErrors.IsTransient(Error(StatusCode.NotFound, "not-leader")));
        Assert.True(EventStoreDbErrors.IsTransient(Error(StatusCode.Internal, null, new IOException("cut"))));

        Assert.False(EventStoreDbErrors.IsTransient(Error(StatusCode.Internal, null,
            new HttpRequestException("ssl", new AuthenticationException("rejected")))));
        Assert.False(EventStoreDbErrors.IsTransient(Error(StatusCode.Internal)));
        Assert.False(EventStoreDbErrors.IsTransient(Error(StatusCode.Unknown)));
        Assert.False(EventStoreDbErrors.IsTransient(Error(StatusCode.PermissionDenied, "access-denied")));
        Assert.False(EventStoreDbErrors.IsTransient(Error(StatusCode.Unauthenticated)));
    }
}
