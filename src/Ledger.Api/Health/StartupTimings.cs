using System.Diagnostics;

namespace Ledger.Api.Health;

/// <summary>
/// Where a start spends its time (issue 20: answering within 3 s of a restart after SIGKILL). With
/// <c>Ledger:StartupTimings=true</c> each phase is marked in milliseconds since the process started (the runtime's own
/// start and JIT included), every hosted service's start is timed on its own (Marten's schema check, Wolverine's runtime,
/// the daemon, the ledger's loops), and the whole list is logged once the host listens (category <c>Ledger.Startup</c>,
/// Information), then the first requests it answered (<see cref="TimeFirstRequests"/>). Off by default: the hosted
/// services are wrapped to time them, which a normal start does not need.
/// </summary>
public static class StartupTimings
{
    public const string Setting = "Ledger:StartupTimings";

    private static readonly Lock Gate = new();
    private static readonly List<(string Phase, double Ms)> Marks = [];
    private static bool _enabled;

    public static void Enable() => _enabled = true;

    public static double SinceProcessStartMs => (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds;

    public static void Mark(string phase)
    {
        if (!_enabled) return;
        lock (Gate) Marks.Add((phase, SinceProcessStartMs));
    }

    /// <summary>Wraps every hosted service registered so far so that its start is timed (registration order is start order).</summary>
    public static void TimeHostedServices(IServiceCollection services)
    {
        if (!_enabled) return;
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType != typeof(IHostedService) || descriptor.IsKeyedService) continue;
            services[i] = ServiceDescriptor.Singleton<IHostedService>(sp => Resolve(descriptor, sp) is var inner ? new Timed(inner, inner.GetType().Name) : null!);
        }
    }

    public static void LogWhenListening(WebApplication app)
    {
        if (!_enabled) return;
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ledger.Startup");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            Mark("listening (ApplicationStarted)");
            lock (Gate)
                log.LogInformation("Start-up timings (ms since the process started): {Timings}",
                    string.Join("; ", Marks.Select(m => $"{m.Ms:F0} {m.Phase}")));
        });
    }

    /// <summary>
    /// Times the first requests a start answers, from arrival to the last byte (listening is not yet answering: the first
    /// requests pay for JIT and lazy set-up), and logs them in one line once <see cref="FirstRequests"/> have been answered.
    /// Goes first in the pipeline, so that everything after it is inside the time.
    /// </summary>
    public static void TimeFirstRequests(WebApplication app)
    {
        if (!_enabled) return;
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ledger.Startup");
        var answered = new List<string>();
        var done = false;
        app.Use(async (context, next) =>
        {
            if (Volatile.Read(ref done))
            {
                await next(context);
                return;
            }
            var began = SinceProcessStartMs;
            try
            {
                await next(context);
            }
            finally
            {
                var line = $"{began:F0}+{SinceProcessStartMs - began:F0} {context.Request.Method} {context.Request.Path} {context.Response.StatusCode}";
                lock (Gate)
                {
                    if (!done) answered.Add(line);
                    if (!done && answered.Count >= FirstRequests)
                    {
                        done = true;
                        log.LogInformation("Start-up timings, the first {Count} requests answered (ms since the process started + ms taken): {Requests}",
                            answered.Count, string.Join("; ", answered));
                    }
                }
            }
        });
    }

    public const int FirstRequests = 12;

    private static IHostedService Resolve(ServiceDescriptor descriptor, IServiceProvider services) =>
        descriptor.ImplementationInstance as IHostedService
        ?? (IHostedService?)descriptor.ImplementationFactory?.Invoke(services)
        ?? (IHostedService)ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!);

    /// <summary>A hosted service whose start is marked before and after; lifecycle hooks are passed on when it has them.</summary>
    private sealed class Timed(IHostedService inner, string name) : IHostedLifecycleService
    {
        public async Task StartAsync(CancellationToken ct)
        {
            var started = SinceProcessStartMs;
            await inner.StartAsync(ct);
            Mark($"{name} started ({SinceProcessStartMs - started:F0} ms)");
        }

        public Task StopAsync(CancellationToken ct) => inner.StopAsync(ct);
        public Task StartingAsync(CancellationToken ct) => (inner as IHostedLifecycleService)?.StartingAsync(ct) ?? Task.CompletedTask;
        public Task StartedAsync(CancellationToken ct) => (inner as IHostedLifecycleService)?.StartedAsync(ct) ?? Task.CompletedTask;
        public Task StoppingAsync(CancellationToken ct) => (inner as IHostedLifecycleService)?.StoppingAsync(ct) ?? Task.CompletedTask;
        public Task StoppedAsync(CancellationToken ct) => (inner as IHostedLifecycleService)?.StoppedAsync(ct) ?? Task.CompletedTask;
    }
}
