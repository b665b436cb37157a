using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Ledger.Bench;

public static class BenchResults
{
    /// <summary>The machine a figure was taken on: cores, memory (MemTotal, not what the GC may use), OS and runtime.</summary>
    public static object Machine() => new
    {
        cores = Environment.ProcessorCount,
        memoryBytes = TotalMemory(),
        os = RuntimeInformation.OSDescription,
        runtime = RuntimeInformation.FrameworkDescription,
    };

    public static string? Commit() => Git("rev-parse HEAD");

    /// <summary>Uncommitted changes anywhere in the tree make the commit an approximation.</summary>
    public static bool Dirty() => Git("status --porcelain") is { Length: > 0 };

    /// <summary>
    /// Writes one run: what every result carries (benchmark, time, machine, commit, parameters) and then the
    /// benchmark's own figures, as <c>{name}-{utc time}.json</c>.
    /// </summary>
    public static Task<string> WriteAsync(string folder, string name, string benchmark, object parameters, object figures)
    {
        var result = new System.Text.Json.Nodes.JsonObject
        {
            ["benchmark"] = benchmark,
            ["at"] = DateTimeOffset.UtcNow,
            ["machine"] = JsonSerializer.SerializeToNode(Machine()),
            ["commit"] = Commit(),
            ["dirty"] = Dirty(),
            ["parameters"] = JsonSerializer.SerializeToNode(parameters),
        };
        foreach (var (key, value) in JsonSerializer.SerializeToNode(figures)!.AsObject().ToList())
            result[key] = value?.DeepClone();
        return WriteAsync(folder, name, result);
    }

    /// <summary>Writes one run's JSON as <c>{name}-{utc time}.json</c> under <paramref name="folder"/> and says where.</summary>
    public static async Task<string> WriteAsync(string folder, string name, object result)
    {
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"{name}-{DateTime.UtcNow:yyyyMMddTHHmmssZ}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"written: {file}");
        return file;
    }

    /// <summary>The nearest-rank percentile of an ascending list (0 when it is empty).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[(int)Math.Min(sorted.Count - 1, Math.Max(0, Math.Ceiling(p * sorted.Count) - 1))];

    private static long TotalMemory()
    {
        // MemTotal from /proc/meminfo; the GC's figure is what this process may use, not what the machine has.
        if (File.Exists("/proc/meminfo"))
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    private static string? Git(string arguments)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, RedirectStandardError = true });
            if (git is null) return null;
            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
