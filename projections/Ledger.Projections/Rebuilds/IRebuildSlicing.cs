using JasperFx.Events;

namespace Ledger.Projections.Rebuilds;

/// <summary>
/// What a projection's slicing reads besides the events, told to the one-pass rebuild (<see cref="OnePassRebuild"/>), which
/// folds the next page while the page before is still being written. A projection that reads its own stored documents to
/// route an event (a customer merge finds the merged customer's quotes by query) needs every earlier page written first;
/// one that routes by the events alone does not wait. A projection that does not implement this is assumed to read them
/// for every event, and is never overlapped.
/// </summary>
public interface IRebuildSlicing
{
    /// <summary>Whether slicing <paramref name="e"/> queries this projection's stored documents.</summary>
    bool ReadsStoredDocuments(IEvent e);
}
