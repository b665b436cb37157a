// The reference for `Ledger.Bench append --backend esdb`: the official Node client (@kurrent/kurrentdb-client) appending
// the same events (the same ~500-byte JSON body and metadata size) to the same server with the same concurrency, each
// writer to streams of its own at the exact revision it last wrote, as the ledger's bench does.
// Usage: node append.mjs <connection string> <writers> <events> <events per stream> <payload json file> <metadata json file>
// Prints one JSON line: { appendsPerSecond, p50, p95, p99, events, writers }.
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { KurrentDBClient, jsonEvent, NO_STREAM } from "@kurrent/kurrentdb-client";

const [connection, writersText, eventsText, perStreamText, payloadFile, metadataFile] = process.argv.slice(2);
const writers = Number(writersText), events = Number(eventsText), perStream = Number(perStreamText);
const data = JSON.parse(readFileSync(payloadFile, "utf8"));
const metadata = JSON.parse(readFileSync(metadataFile, "utf8"));
const client = KurrentDBClient.connectionString(connection.replace(/^esdb:/, "kurrentdb:"));
const run = randomUUID().slice(0, 8);
const event = () => jsonEvent({ id: randomUUID(), type: "bench-quote-line-priced.v1", data, metadata });

// One append per writer before the clock starts, as the ledger's bench does.
await Promise.all([...Array(writers).keys()].map(w => client.appendToStream(`anchor-warmup-${run}-${w}`, event(), { streamState: NO_STREAM })));

const latencies = [];
const started = process.hrtime.bigint();
await Promise.all([...Array(writers).keys()].map(async w => {
  const mine = Math.floor(events / writers) + (w < events % writers ? 1 : 0);
  for (let i = 0; i < mine; i++) {
    const stream = `anchor-${run}-w${w}-s${Math.floor(i / perStream)}`;
    const revision = i % perStream;
    const t = process.hrtime.bigint();
    await client.appendToStream(stream, event(), { streamState: revision === 0 ? NO_STREAM : BigInt(revision - 1) });
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
}));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
latencies.sort((a, b) => a - b);
const at = q => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
console.log(JSON.stringify({ appendsPerSecond: latencies.length / seconds, p50: at(0.5), p95: at(0.95), p99: at(0.99), events: latencies.length, writers }));
await client.dispose();
