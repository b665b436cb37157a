namespace Ledger.Specs;

/// <summary>Every file under specs/ is one test; adding a spec is adding a file.</summary>
public sealed class SpecTests
{
    public static TheoryData<string, string> Files() => Titled(SpecFile.All(), path => SpecFile.Load(path).Title);

    /// <summary>The reactors' specs, under specs/reactions/.</summary>
    public static TheoryData<string, string> ReactionFiles() => Titled(ReactionSpec.All(), path => ReactionSpec.Load(path).Title);

    /// <summary>The reconciliation rules' specs, under specs/rules/.</summary>
    public static TheoryData<string, string> RuleFiles() => Titled(RuleSpec.All(), path => RuleSpec.Load(path).Title);

    /// <summary>The proration rule's specs, under specs/proration/.</summary>
    public static TheoryData<string, string> ProrationFiles() => Titled(ProrationSpec.All(), path => ProrationSpec.Load(path).Title);

    [Theory]
    [MemberData(nameof(ProrationFiles))]
    public void Proration(string path, string title)
    {
        _ = title;
        ProrationSpec.Load(path).Verify();
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Spec(string path, string title)
    {
        _ = title; // shown in the test's name, so a RevOps reader sees what failed
        SpecRunner.Verify(SpecFile.Load(path));
    }

    [Theory]
    [MemberData(nameof(ReactionFiles))]
    public void Reaction(string path, string title)
    {
        _ = title;
        ReactionRunner.Verify(ReactionSpec.Load(path));
    }

    [Theory]
    [MemberData(nameof(RuleFiles))]
    public void Rule(string path, string title)
    {
        _ = title;
        RuleRunner.Verify(RuleSpec.Load(path));
    }

    private static TheoryData<string, string> Titled(IEnumerable<string> paths, Func<string, string> title)
    {
        var data = new TheoryData<string, string>();
        foreach (var path in paths)
        {
            string text;
            try { text = title(path); }
            catch (Exception e) { text = $"(unreadable: {e.Message})"; }
            data.Add(path, text);
        }
        return data;
    }
}
