namespace Ledger.Specs;

/// <summary>Every file under specs/ is one test; adding a spec is adding a file.</summary>
public sealed class SpecTests
{
    public static TheoryData<string, string> Files()
    {
        var data = new TheoryData<string, string>();
        foreach (var path in SpecFile.All())
        {
            string title;
            try { title = SpecFile.Load(path).Title; }
            catch (Exception e) { title = $"(unreadable: {e.Message})"; }
            data.Add(path, title);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Spec(string path, string title)
    {
        _ = title; // shown in the test's name, so a RevOps reader sees what failed
        SpecRunner.Verify(SpecFile.Load(path));
    }
}
