using Ledger.Application.Commands;
using Ledger.EventStore;

namespace Ledger.Application.Reactions;

/// <summary>
/// One lane's folded states of the streams its reactors fold, kept current with every event of those streams as the lane
/// receives them (a stream's events all go to one lane, in log order). A reaction then starts from the state held here
/// instead of reading and folding its stream again: that read was a transaction of its own for every reaction, 0.67 per
/// command in the commands benchmark (issue 13). A stream is held from its first event (its state before is the initial
/// one) or from the first reaction that had to read it; anything unexpected drops it, and the next reaction reads again.
/// </summary>
internal sealed class LaneStates(EventSerializer serializer, int capacity = 20_000)
{
    private readonly Dictionary<(string Stream, Type Kind), Held> _held = [];

    /// <summary>The stream's state just before <paramref name="revision"/>, when this lane holds it.</summary>
    public object? Before(StreamRef stream, long revision)
    {
        if (revision == 0) return stream.Initial;
        if (!_held.TryGetValue(Key(stream), out var held)) return null;
        return held.Revision == revision - 1 ? held.State : held.Revision == revision ? held.Previous : null;
    }

    /// <summary>Moves the held state on by <paramref name="recorded"/>, from <paramref name="before"/>, the state just before it.</summary>
    public void Advance(StreamRef stream, RecordedEvent recorded, object before)
    {
        var key = Key(stream);
        if (_held.TryGetValue(key, out var held) && held.Revision == recorded.Revision) return;
        if (_held.Count >= capacity && !_held.ContainsKey(key)) _held.Clear(); // bounded: what is dropped is read again when needed
        try
        {
            _held[key] = new Held(recorded.Revision, stream.Fold(before, [recorded], serializer), before);
        }
        catch (UnreadableEventException)
        {
            _held.Remove(key); // the reaction that needs this stream reads it, and reports what it cannot read
        }
    }

    private static (string, Type) Key(StreamRef stream) => (stream.Id, stream.Initial.GetType());

    /// <summary>The state after <see cref="Revision"/>, and the one before it (a second reactor on the same event needs that).</summary>
    private sealed record Held(long Revision, object State, object Previous);
}
