using System.Net.Http.Json;
using System.Text.Json;
using Ledger.EventStore.EventStoreDb;

namespace Ledger.Testing;

/// <summary>
/// A three-node EventStoreDB cluster for the opt-in cluster tests: <c>LEDGER_TEST_ESDB_CLUSTER</c> names its nodes (e.g.
/// <c>esdb://127.0.0.1:2121,127.0.0.1:2122,127.0.0.1:2123?tls=false</c>). The tests shut the leader down, which stays
/// down: every node must be started again before the next run.
/// </summary>
public static class TestEventStoreCluster
{
    public const string Variable = "LEDGER_TEST_ESDB_CLUSTER";

    /// <summary>The cluster, and why a test cannot run on it (null when it can: three nodes named, every one alive).</summary>
    public static async Task<(EventStoreDbConnectionString? Cluster, string? Unavailable)> FindAsync()
    {
        var text = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(text)) return (null, $"{Variable} is not set: no EventStoreDB cluster to run against.");
        var cluster = EventStoreDbConnectionString.Parse(text);
        if (cluster.Nodes.Count != 3) return (null, $"{Variable} must name three nodes.");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var (host, port) in cluster.Nodes)
        {
            var up = false;
            try { up = (await http.GetAsync(cluster.AddressOf(host, port) + "health/live")).IsSuccessStatusCode; }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            if (!up) return (null, $"Node {host}:{port} of {Variable} does not answer: the cluster tests kill a node, so start every node again before a run.");
        }
        return (cluster, null);
    }

    /// <summary>Shuts the current leader down over its HTTP admin endpoint (an --insecure node takes it without credentials); answers which node it was.</summary>
    public static async Task<string> KillTheLeaderAsync(EventStoreDbConnectionString cluster)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var (host, port) in cluster.Nodes)
        {
            var info = await http.GetFromJsonAsync<JsonElement>(cluster.AddressOf(host, port) + "info");
            if (!string.Equals(info.GetProperty("state").GetString(), "leader", StringComparison.OrdinalIgnoreCase)) continue;
            (await http.PostAsync(cluster.AddressOf(host, port) + "admin/shutdown", null)).EnsureSuccessStatusCode();
            return $"{host}:{port}";
        }
        throw new InvalidOperationException("No node of the cluster said it was the leader.");
    }
}
