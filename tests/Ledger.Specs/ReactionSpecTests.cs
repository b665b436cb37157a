using Ledger.Domain;

namespace Ledger.Specs;

/// <summary>What the reaction specs must cover: every reactor, every event it reacts to, every message a reactor may deliver.</summary>
public sealed class ReactionSpecTests
{
    /// <summary>The specs that load; one that does not fails its own test.</summary>
    private static readonly IReadOnlyList<ReactionSpec> Specs = ReactionSpec.All().Select(path =>
    {
        try { return ReactionSpec.Load(path); }
        catch (InvalidDataException) { return null; }
    }).OfType<ReactionSpec>().ToList();

    [Fact]
    public void Every_event_a_reactor_reacts_to_is_the_when_of_one_of_its_specs()
    {
        // EventSamples holds one event of every type, so it tells which types each reactor reacts to.
        var missing = SpecReactors.All
            .SelectMany(r => EventSamples.All.Where(r.ReactsTo).Select(e => (Reactor: r.Name, Event: SpecRunner.EventNamesByType[e.GetType()])))
            .Where(x => !Specs.Any(s => s.Reactor == x.Reactor && s.Event == x.Event))
            .Select(x => $"{x.Reactor} on {x.Event}")
            .ToList();
        Assert.True(missing.Count == 0, $"No reaction spec for: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Every_message_appears_in_a_reaction_spec()
    {
        var used = Specs.SelectMany(s => s.Then.Select(t => t.Type)).ToHashSet();
        var missing = SpecReactors.Messages.Keys.Where(m => !used.Contains(m)).ToList();
        Assert.True(missing.Count == 0, $"No reaction spec delivers: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Message_names_are_not_command_names()
    {
        Assert.NotEmpty(SpecReactors.Messages);
        Assert.Empty(SpecReactors.Messages.Keys.Intersect(CommandNames.All.Select(c => c.Name)));
    }
}
