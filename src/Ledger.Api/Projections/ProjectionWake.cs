namespace Ledger.Api.Projections;

/// <summary>How the projection daemon learns that events were appended (<c>Ledger:Projections:Wake</c>, ADR/0015).</summary>
public enum ProjectionWake
{
    /// <summary>This node's commits wake its daemon in memory; other nodes' appends are found by polling.</summary>
    InProcess,

    /// <summary>Every append sends a PostgreSQL NOTIFY that every node's daemon hears; costs command throughput.</summary>
    Notify,

    /// <summary>Polling alone (the default, ADR/0015): views trail the log by up to the slow polling period (1 s), commands run fastest.</summary>
    Poll,
}

public static class ProjectionWakeSetting
{
    /// <summary>
    /// How long a woken daemon waits for the commits racing the one that woke it, so that a burst of commands is one
    /// projection batch, not one per command: a few ms of freshness for fewer transactions (measured, ADR/0015).
    /// </summary>
    public static readonly TimeSpan Gathering = TimeSpan.FromMilliseconds(25);

    public static ProjectionWake Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "poll" => ProjectionWake.Poll,
        "in-process" => ProjectionWake.InProcess,
        "notify" => ProjectionWake.Notify,
        _ => throw new InvalidOperationException($"Ledger:Projections:Wake is '{value}': use in-process, notify or poll."),
    };
}
