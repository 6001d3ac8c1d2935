// The load generator of the webhook benchmark, in a process of its own: the
// orchestrator (bench/webhook-admission.ts) holds the bundles, certificates
// and three servers' bookkeeping, and its heap and timers would otherwise be
// the client's. Reads a JSON job file, runs autocannon, prints the result as
// one JSON line.
// Run as: node --import tsx bench/load-generator.ts <job.json>
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadJob {
  url: string;
  /** Sent in turn on each connection. */
  bodies: string[];
  connections: number;
  duration: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  average: number;
  errors: number;
}

const jobFile = process.argv[2];
if (!jobFile) throw new Error('usage: load-generator.ts <job.json>');
const job = JSON.parse(readFileSync(jobFile, 'utf8')) as LoadJob;
const result = await autocannon({
  url: job.url,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  requests: job.bodies.map((body) => ({ method: 'POST', body })),
  connections: job.connections,
  duration: job.duration,
});
const out: LoadResult = {
  requestsPerSecond: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  average: result.latency.average,
  errors: result.errors + result.timeouts + result.non2xx,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
