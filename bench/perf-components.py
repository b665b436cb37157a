#!/usr/bin/env python3
"""Shares of CPU from a whole-machine `perf record -g` sample of a bench run (bench/README.md, "profile").

Prints the share of samples per thread name (PostgreSQL backends are `postgres`, .NET threads `.NET …`, idle is
`swapper`), then, for the .NET thread-pool and socket threads, the innermost frame that belongs to a known
component, as a share of all samples. Reads `perf script -F comm,ip,sym,dso` output on stdin.
"""
import collections
import sys

COMPONENTS = [
    ("Npgsql (protocol and socket work)", "[Npgsql]"), ("Marten / Weasel", "[Marten]"), ("Marten / Weasel", "[Weasel"),
    ("JasperFx (daemon, events)", "[JasperFx"), ("Wolverine", "[Wolverine"), ("System.Text.Json", "[System.Text.Json]"),
    ("Ledger code", "[Ledger."), ("NodaTime", "[NodaTime]"), ("HttpClient (the load generator)", "[System.Net.Http]"),
    ("Kestrel / ASP.NET Core", "[Microsoft.AspNetCore"), ("Sockets", "[System.Net.Sockets]"), ("OpenTelemetry", "[OpenTelemetry"),
]

samples, current = [], None
for line in sys.stdin:
    if not line.strip():
        if current:
            samples.append(current)
        current = None
    elif not line[0].isspace():
        current = (line.strip(), [])
    elif current is not None:
        current[1].append(line.strip())
if current:
    samples.append(current)

# What the thread was doing, by the outermost frame that names it: the request path, the projections, the load.
ACTIVITIES = [
    ("load generator (HttpClient, Ledger.Bench)", ("[Ledger.Bench]", "[System.Net.Http]")),
    ("projection daemon", ("Daemon",)),
    ("billing simulator", ("[Ledger.BillingSimulator]",)),
    ("HTTP requests (Kestrel, endpoints, command units)", ("[Microsoft.AspNetCore", "[Wolverine.Http]", "[Ledger.Api]")),
    ("Wolverine messages and durability agents", ("[Wolverine",)),
]

def activity(frames):
    for frame in reversed(frames):  # outermost first
        for name, markers in ACTIVITIES:
            if any(m in frame for m in markers):
                return name
    return "other (runtime, JIT, timers)"

def component(frames):
    for frame in frames:  # innermost first
        for name, marker in COMPONENTS:
            if marker in frame:
                return name
    return "runtime or kernel only"

threads = collections.Counter(comm[:15] for comm, _ in samples)
managed = collections.Counter(component(frames) for comm, frames in samples if comm.startswith((".NET TP Worker", ".NET Sockets")))
print(f"{len(samples)} samples")
for name, count in threads.most_common(10):
    print(f"{100 * count / len(samples):6.2f}%  {name}")
print("thread-pool and socket threads, by innermost known component (share of all samples):")
for name, count in managed.most_common():
    print(f"{100 * count / len(samples):6.2f}%  {name}")
by_activity = collections.Counter(activity(frames) for comm, frames in samples if comm.startswith((".NET TP Worker", ".NET Sockets")))
print("thread-pool and socket threads, by outermost known activity (share of all samples):")
for name, count in by_activity.most_common():
    print(f"{100 * count / len(samples):6.2f}%  {name}")
