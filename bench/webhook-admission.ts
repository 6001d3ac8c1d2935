// `npm run bench:webhook`: the admission webhook under load, against a floor.
//
// Both servers run as child processes on loopback HTTPS with the same
// certificate: the real `kuma-injector serve` (the image's bundle, real engine, file state) and a
// bare Fastify echo of the same AdmissionReview. autocannon drives them from a
// process of its own (bench/load-generator.ts), with bounded durations, so the
// client's heap and timers are not this orchestrator's. The webhook's RSS is read from /proc
// after the load, so it is the server's own. Results go to stdout and into the
// "Webhook admission" section of docs/benchmarks.md.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { httpsReviewClient, type HttpsReviewClient } from '../test-support/webhook/https-review.ts';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, memoryMb, productionNodeOptions, repo, startServer, stop, type Server } from './child-server.ts';
import { build } from 'esbuild';
import { stringify } from 'yaml';
import { podAdmissionReview } from '../webhook/demo/sample-review.ts';
import { realisticReplicas, widePod } from './admission-pods.ts';
import type { LoadJob, LoadResult } from './load-generator.ts';
import { bundleProgram } from '../bin/bundle.ts';
import { replaceSection } from './markdown-section.ts';
import { generateSelfSigned, writeCertificates } from '../webhook/tls/self-signed.ts';

const seconds = Number(process.env.BENCH_DURATION ?? 10);
/** BENCH_CPU_PROF=<dir>: the webhook child writes a V8 CPU profile there when it exits. */
const cpuProfileDir = process.env.BENCH_CPU_PROF;
const webhookNodeFlags = process.env.BENCH_WEBHOOK_NODE_FLAGS?.split(' ').filter(Boolean) ?? productionNodeOptions();
const namespace = 'bench';
const targets = { ratio: 0.45, p99Ms: 5, wideMedianMs: 20, rssMb: 150 };
/** Distinct reviews in the load: replicas of one Deployment. */
const replicaCount = 64;

/** One admission through the trusted CA: proves the server injects before it is measured. */
async function admitOnce(client: HttpsReviewClient, body: string): Promise<{ allowed: boolean; patchOps: number }> {
  const { statusCode, body: text } = await client.post(body);
  try {
    const response = (JSON.parse(text) as { response: { allowed: boolean; patch?: string } }).response;
    const ops = response.patch ? (JSON.parse(Buffer.from(response.patch, 'base64').toString()) as unknown[]).length : 0;
    return { allowed: response.allowed, patchOps: ops };
  } catch (error) {
    throw new Error(`HTTP ${statusCode}: ${text.slice(0, 300)} (${String(error)})`, { cause: error });
  }
}

/** The echo floor must send back the review it got, byte for byte the same size. */
async function checkEcho(echo: Server, caCert: string, body: string): Promise<void> {
  const client = httpsReviewClient(echo.port, caCert);
  try {
    const { statusCode, body: text } = await client.post(body);
    if (statusCode !== 200 || text.length !== body.length || text !== JSON.stringify(JSON.parse(body))) {
      throw new Error(`the echo floor did not send the review back (HTTP ${statusCode}, ${text.length} of ${body.length} bytes)`);
    }
  } finally {
    client.close();
  }
}

/** Admissions one after another on one keep-alive connection, timed with sub-millisecond precision. */
async function sequentialLatency(client: HttpsReviewClient, body: string, duration: number): Promise<{ median: number; p99: number; count: number }> {
  const times: number[] = [];
  const end = Date.now() + duration * 1000;
  while (Date.now() < end) {
    const start = process.hrtime.bigint();
    const { statusCode } = await client.post(body);
    if (statusCode !== 200) throw new Error(`HTTP ${statusCode} during the sequential run`);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { median: at(0.5), p99: at(0.99), count: times.length };
}

/** Load on `server` from a separate process (bench/load-generator.ts); `bodies` are sent in turn on each connection. */
async function load(work: string, server: Server, bodies: string[], connections: number, duration: number): Promise<LoadResult> {
  const jobFile = join(work, `load-${server.port}-${duration}.json`);
  const job: LoadJob = { url: `https://127.0.0.1:${server.port}/inject-sidecar`, bodies, connections, duration };
  writeFileSync(jobFile, JSON.stringify(job));
  const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'bench', 'load-generator.ts'), jobFile], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`the load generator exited with ${code}`);
  return JSON.parse(output) as LoadResult;
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const verdict = (ok: boolean) => (ok ? 'met' : '**MISSED**');

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bench-webhook-'));
  // The image's program is the bundle: built here from the current sources, inside the repository
  // so its npm imports resolve to node_modules as in the image.
  const bundleDir = mkdtempSync(join(repo, '.tmp-bench-webhook-'));
  const servers: Server[] = [];
  const clients: HttpsReviewClient[] = [];
  try {
    const certificates = await generateSelfSigned();
    const tls = writeCertificates(work, certificates);
    const stateFile = join(work, 'state.yaml');
    writeFileSync(
      stateFile,
      [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'kuma.io/sidecar-injection': 'enabled' } } },
        { apiVersion: 'kuma.io/v1alpha1', kind: 'Mesh', metadata: { name: 'default' } },
      ]
        .map((o) => stringify(o, { version: '1.1' }))
        .join('---\n'),
    );

    // The floors run bundled too, so no side carries a TypeScript loader.
    const floorScript = join(bundleDir, 'admission-echo-server.mjs');
    await build({ entryPoints: [join(repo, 'bench', 'admission-echo-server.ts')], outfile: floorScript, bundle: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning' });
    const floorServer = async (mode: 'echo' | 'allow'): Promise<Server> => {
      const port = await freePort();
      const server = await startServer(mode, floorScript, [mode, String(port), tls.certFile, tls.keyFile], port, join(work, `${mode}.log`));
      servers.push(server);
      return server;
    };
    const echo = await floorServer('echo');
    const minimalAllow = await floorServer('allow');
    const webhookPort = await freePort();
    const bundle = await bundleProgram('kuma-injector', bundleDir);
    const webhook = await startServer(
      'webhook',
      bundle,
      ['serve', '--host', '127.0.0.1', '--port', String(webhookPort), '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile, '--state', stateFile, '--sidecar-containers', 'off', '--shutdown-delay', '0'],
      webhookPort,
      join(work, 'webhook.log'),
      [...webhookNodeFlags, ...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(cpuProfileDir)}`] : [])],
    );
    servers.push(webhook);

    // A rollout's replicas, each with its own uid and token volume, so nothing can be answered from
    // an earlier identical review; the floors get the same reviews.
    const replicas = realisticReplicas(namespace, replicaCount).map((pod, i) => JSON.stringify(podAdmissionReview(pod, { namespace, uid: `bench-replica-${i}` })));
    const realistic = replicas[0]!;
    const wide = JSON.stringify(podAdmissionReview(widePod(namespace, 30, 40), { namespace, uid: 'bench-wide' }));
    const client = httpsReviewClient(webhook.port, certificates.caCert);
    clients.push(client);
    await checkEcho(echo, certificates.caCert, realistic);
    const check = await admitOnce(client, realistic);
    const checkWide = await admitOnce(client, wide);
    if (!check.allowed || check.patchOps === 0 || !checkWide.allowed || checkWide.patchOps === 0) {
      throw new Error(`the webhook did not inject the bench pods: ${JSON.stringify({ check, checkWide })}`);
    }

    // Other work on the machine skews every figure (client and servers share the cores): record it.
    const loadBefore = loadavg()[0]!;
    if (loadBefore > cpus().length / 2) console.warn(`warning: load average ${loadBefore.toFixed(1)} on ${cpus().length} cores; figures will be noisy`);
    console.log(`warming up (3 s each), then ${seconds} s per measurement ...`);
    await load(work, echo, replicas, 16, 3);
    await load(work, minimalAllow, replicas, 16, 3);
    await load(work, webhook, replicas, 16, 3);
    await sequentialLatency(client, wide, 3);
    const floor = await load(work, echo, replicas, 16, seconds);
    const allowFloor = await load(work, minimalAllow, replicas, 16, seconds);
    const admit = await load(work, webhook, replicas, 16, seconds);
    const wideOne = await sequentialLatency(client, wide, seconds);
    const rss = memoryMb(webhook.child.pid!);

    const ratio = admit.requestsPerSecond / floor.requestsPerSecond;
    const allowRatio = admit.requestsPerSecond / allowFloor.requestsPerSecond;
    const loadRow = (name: string, l: LoadResult): [string, string, string, string] => [name, `${fmt(l.requestsPerSecond, 0)} req/s, p50 ${l.p50} ms, p99 ${l.p99} ms`, '-', '-'];
    const errors = floor.errors + allowFloor.errors + admit.errors;
    const rows: [string, string, string, string][] = [
      loadRow(`echo floor (review sent back, ${realistic.length} B), realistic pods, 16 conns`, floor),
      loadRow('minimal-allow reference (~100 B answer), realistic pods, 16 conns', allowFloor),
      loadRow('webhook, realistic pods, 16 conns', admit),
      ['throughput vs echo (the target)', `${fmt(ratio, 2)}×`, `≥ ${targets.ratio}×`, verdict(ratio >= targets.ratio)],
      ['throughput vs minimal-allow (reference)', `${fmt(allowRatio, 2)}×`, '-', '-'],
      ['p99, realistic pods, 16 conns', `${admit.p99} ms`, `≤ ${targets.p99Ms} ms`, verdict(admit.p99 <= targets.p99Ms)],
      [
        'median, 30 containers / 1,200 env, one at a time',
        `${fmt(wideOne.median, 2)} ms (p99 ${fmt(wideOne.p99, 2)} ms, ${wideOne.count} admissions)`,
        `≤ ${targets.wideMedianMs} ms`,
        verdict(wideOne.median <= targets.wideMedianMs),
      ],
      ['webhook RSS after the load', `${fmt(rss)} MB`, `≤ ${targets.rssMb} MB`, verdict(rss <= targets.rssMb)],
      ['errors / non-2xx under load', `${errors}`, '0', verdict(errors === 0)],
    ];
    const table = ['| measurement | result | target | |', '|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
    console.log(`\n${table}\n`);

    const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, ${process.platform}`;
    replaceSection(
      join(repo, 'docs', 'benchmarks.md'),
      'Webhook admission',
      [
        'Command: `npm run bench:webhook` (set `BENCH_DURATION=<seconds>` to change the measured duration, default 10; `BENCH_CPU_PROF=<dir>` to get a V8 CPU profile of the webhook process).',
        '',
        `What it does: starts \`kuma-injector serve\` as the image runs it, from the esbuild bundle (\`bin/bundle.ts\`, built from the current sources at the start; no TypeScript loader), with the real engine and file state (one namespace labelled for injection and the default Mesh), and two floors (\`bench/admission-echo-server.ts\`, bundled the same way): the bare Fastify HTTPS echo of the same review, which parses the same AdmissionReview and sends it back as JSON (the same size as received; checked before the load), and a minimal-allow server that parses it and answers a ~100-byte \"allowed\" review. The ratio target is judged against the echo; the minimal-allow ratio is reported beside it as a reference. Each server runs in its own child process, on loopback with the same certificate; autocannon drives them from a load-generator process of its own (\`bench/load-generator.ts\`; client and servers share the cores). Every pod is checked to be injected (allowed, non-empty patch) before it is measured. Pods: \`bench/admission-pods.ts\`: under load, ${replicaCount} replicas of a Deployment-style pod with probes, env and a token volume, sent in turn, each review with its own uid and each pod with its own token volume (as the API server names them), so no answer can be reused from an identical earlier review; the floors get the same reviews. A wide pod of 30 containers × 40 env vars is timed on its own. The realistic pod's patch has ${check.patchOps} operations, the wide pod's ${checkWide.patchOps}. Latencies under load are autocannon's (1 ms resolution); the wide pod's are timed one admission at a time on one keep-alive connection (sub-millisecond). RSS is the webhook process's VmRSS after all load.`,
        '',
        `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${machine}, ${seconds} s per measurement after a 3 s warm-up; 1-minute load average before the run ${loadBefore.toFixed(1)} (above ${cpus().length / 2} means other work skewed the figures); webhook started with \`${webhookNodeFlags.join(' ') || '(no Node flags)'}\` (the image's NODE_OPTIONS).`,
        '',
        table,
      ].join('\n'),
    );
    console.log('results written to docs/benchmarks.md (section "Webhook admission")');
  } finally {
    for (const client of clients) client.close();
    await Promise.all(servers.map(stop));
    rmSync(work, { recursive: true, force: true });
    rmSync(bundleDir, { recursive: true, force: true });
  }
}

await main();
