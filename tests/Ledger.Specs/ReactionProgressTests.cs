using Ledger.Application.Reactions;
using Xunit;

namespace Ledger.Specs;

/// <summary>
/// The reaction processor's safe position is always the position of an event it has read (or where it started), never
/// one less than an event's: in EventStoreDB positions are byte offsets, and a read from between two events is refused.
/// </summary>
public sealed class ReactionProgressTests
{
    [Fact]
    public void The_safe_position_is_the_event_read_just_before_the_oldest_still_in_flight()
    {
        // Byte offsets, as EventStoreDB's commit positions are.
        var progress = new ReactionProcessor.Progress(start: 1_000);
        progress.Started(1_400);
        progress.Passed(1_850);   // no reactor was concerned
        progress.Started(2_300);
        progress.Started(2_900);
        Assert.Equal(1_000, progress.Safe);

        progress.Done(2_300);     // a later lane finished first: still held by 1,400
        Assert.Equal(1_000, progress.Safe);

        progress.Done(1_400);     // 2,900 is the oldest in flight; everything up to 2,300 is done
        Assert.Equal(2_300, progress.Safe);

        progress.Done(2_900);
        Assert.Equal(2_900, progress.Safe);
    }
}
