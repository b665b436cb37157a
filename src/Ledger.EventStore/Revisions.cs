namespace Ledger.EventStore;

public enum ExpectedRevisionKind { Any, NoStream, StreamExists, Exact }

/// <summary>What the writer believes the stream's last revision is.</summary>
public readonly record struct ExpectedRevision(ExpectedRevisionKind Kind, long Revision)
{
    public static readonly ExpectedRevision Any = new(ExpectedRevisionKind.Any, -1);
    public static readonly ExpectedRevision NoStream = new(ExpectedRevisionKind.NoStream, -1);
    public static readonly ExpectedRevision StreamExists = new(ExpectedRevisionKind.StreamExists, -1);

    public static ExpectedRevision Exact(long revision) =>
        revision < 0
            ? throw new ArgumentOutOfRangeException(nameof(revision), "An exact revision is 0 or more.")
            : new(ExpectedRevisionKind.Exact, revision);

    /// <summary>The expectation after loading a stream whose last revision is known (-1: no stream).</summary>
    public static ExpectedRevision After(long lastRevision) => lastRevision < 0 ? NoStream : Exact(lastRevision);

    public override string ToString() => Kind == ExpectedRevisionKind.Exact ? Revision.ToString() : Kind.ToString();
}

/// <summary>A 0-based revision within one stream; <see cref="End"/> reads from the last event backwards.</summary>
public readonly record struct StreamRevision(long Value)
{
    public static readonly StreamRevision Start = new(0);
    public static readonly StreamRevision End = new(long.MaxValue);
}

/// <summary>A position in the global order of all events. <see cref="Start"/> is before the first event.</summary>
public readonly record struct GlobalPosition(ulong Value) : IComparable<GlobalPosition>
{
    public static readonly GlobalPosition Start = new(0);
    public int CompareTo(GlobalPosition other) => Value.CompareTo(other.Value);
    public override string ToString() => Value.ToString();
}

public enum ReadDirection { Forwards, Backwards }
