using System.Diagnostics;

namespace Ledger.IntegrationTests;

/// <summary>A program the tests run as a process of its own (the built CLI, the bench, the API's codegen), read to its end.</summary>
internal static class ChildProcess
{
    /// <summary>What the process printed and how it ended; <see cref="Output"/> is both streams, as a terminal shows them.</summary>
    public sealed record Result(int ExitCode, string Out, string Error, bool TimedOut)
    {
        public string Output => Out + Error;
    }

    /// <summary>
    /// Starts <paramref name="start"/> with both streams read, and waits up to <paramref name="patience"/>. A process still
    /// running then is killed with its children (a test must not leave one behind) and reported as <see cref="Result.TimedOut"/>.
    /// </summary>
    public static async Task<Result> RunAsync(ProcessStartInfo start, TimeSpan patience)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start)
                            ?? throw new InvalidOperationException($"Could not start {start.FileName} {string.Join(' ', start.ArgumentList)}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var waiting = new CancellationTokenSource(patience);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(waiting.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        return new Result(process.ExitCode, await output, await error, timedOut);
    }

    /// <summary><see cref="RunAsync"/>, failing the test when the process outlives its patience.</summary>
    public static async Task<Result> RunToEndAsync(ProcessStartInfo start, TimeSpan patience)
    {
        var result = await RunAsync(start, patience);
        return result.TimedOut
            ? throw new TimeoutException($"'{Path.GetFileName(start.ArgumentList.FirstOrDefault() ?? start.FileName)}' was still running after {patience.TotalSeconds} s and was killed.\n{result.Output}")
            : result;
    }
}
