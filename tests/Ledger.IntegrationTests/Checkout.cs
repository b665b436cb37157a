namespace Ledger.IntegrationTests;

/// <summary>The repository the tests run from: its root (the folder holding Ledger.sln) and the programs built in it.</summary>
internal static class Checkout
{
    public static string Root { get; } = FindRoot();

    /// <summary>A program's dll as built beside this test assembly's configuration (Debug or Release); the project references make it build first.</summary>
    public static string ProgramPath(string project, string dll)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // …/bin/<configuration>/net10.0/
        var path = Path.Combine(Root, project, "bin", configuration, "net10.0", dll);
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is not built: dotnet build Ledger.sln");
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Ledger.sln"))) return folder.FullName;
        throw new InvalidOperationException("Ledger.sln not found above the test assembly.");
    }
}
