using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Ledger.Application;

public static class Batches
{
    /// <summary>
    /// The items of <paramref name="source"/> in batches of whatever has arrived (at most <paramref name="max"/>): one item
    /// when it comes alone, many when they come faster than the consumer writes them, so a subscription that falls behind
    /// catches up with one transaction per batch instead of one per event.
    /// </summary>
    public static async IAsyncEnumerable<IReadOnlyList<T>> InBatchesAsync<T>(this IAsyncEnumerable<T> source, int max,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var arrived = Channel.CreateBounded<T>(new BoundedChannelOptions(max) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in source.WithCancellation(stop.Token)) await arrived.Writer.WriteAsync(item, stop.Token);
                arrived.Writer.TryComplete();
            }
            catch (Exception e)
            {
                arrived.Writer.TryComplete(e);
            }
        }, CancellationToken.None);
        try
        {
            while (await arrived.Reader.WaitToReadAsync(ct))
            {
                var batch = new List<T>();
                while (batch.Count < max && arrived.Reader.TryRead(out var item)) batch.Add(item);
                yield return batch;
            }
        }
        finally
        {
            await stop.CancelAsync();
            await reading;
        }
    }
}
