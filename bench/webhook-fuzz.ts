// `npm run fuzz:webhook`: hostile and generated AdmissionReviews against the
// production bundle (issue 9).
//
// Two runs, each on a fresh `kuma-injector serve` child process (the image's
// bundle and NODE_OPTIONS, file state, loopback HTTPS):
// 1. FUZZ_REVIEWS reviews (default 100,000; bench/webhook-fuzz-reviews.ts),
//    16 at a time, every answer checked (bench/webhook-fuzz-run.ts); then a
//    good pod must still be injected (no state, no prototype, was changed).
// 2. The worst single pods the API server would accept, one at a time: the
//    webhook's peak RSS (VmHWM) over them.
// 3. The costliest bodies it accepts, 16 at a time: its peak RSS with the
//    in-flight budget refusing the excess (429), against the chart's 256 Mi.
// Prints the report, writes the section "The webhook" of docs/robustness.md,
// and sets a failing exit code on any 5xx, crash, bad answer or missed target.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { bundleProgram } from '../bin/bundle.ts';
import { podAdmissionReview } from '../webhook/demo/sample-review.ts';
import { defaultBodyLimit } from '../webhook/http/index.ts';
import { apiServerAnnotationBytes, defaultMaxInflightBytes, maxAnnotationListItems, maxBodyContainers, maxBodyDepth, maxPatchBytes } from '../webhook/limits/index.ts';
import { generateSelfSigned, writeCertificates } from '../webhook/tls/self-signed.ts';
import { realisticPod, widePod } from './admission-pods.ts';
import { freePort, memoryMb, productionNodeOptions, repo, startServer, stop, type Server } from './child-server.ts';
import { replaceSection } from './markdown-section.ts';
import { runFuzz, type FuzzReport } from './webhook-fuzz-run.ts';
import { fuzzNamespace, fuzzPatchNames, fuzzReviews, issueCases } from './webhook-fuzz-reviews.ts';

/** The memory target of one admission, and of the largest bodies at once, on the production bundle (the chart's limit is 256 Mi). */
export const peakRssTargetMb = 200;

export interface FuzzWebhook {
  server: Server;
  ca: string;
  close(): Promise<void>;
}

/** The fuzz state: an injected namespace, the default Mesh, a ContainerPatch and one whose path aims at a prototype. */
function stateYaml(): string {
  const patch = (name: string, path: string) => ({
    apiVersion: 'kuma.io/v1alpha1',
    kind: 'ContainerPatch',
    metadata: { name, namespace: 'kuma-system' },
    spec: { sidecarPatch: [{ op: 'add', path, value: '"fuzz"' }] },
  });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: fuzzNamespace, labels: { 'kuma.io/sidecar-injection': 'enabled' } } },
    { apiVersion: 'kuma.io/v1alpha1', kind: 'Mesh', metadata: { name: 'default' } },
    patch(fuzzPatchNames.good, '/env/-'),
    patch(fuzzPatchNames.polluting, '/__proto__/polluted'),
  ]
    .map((o) => stringify(o, { version: '1.1' }))
    .join('---\n');
}

/** Builds the bundle and starts it on a free loopback port with the fuzz state and a fresh certificate. */
export async function startFuzzWebhook(): Promise<FuzzWebhook> {
  const work = mkdtempSync(join(tmpdir(), 'fuzz-webhook-'));
  const bundleDir = mkdtempSync(join(repo, '.tmp-fuzz-webhook-'));
  const cleanup = () => {
    rmSync(work, { recursive: true, force: true });
    rmSync(bundleDir, { recursive: true, force: true });
  };
  try {
    const certificates = await generateSelfSigned();
    const tls = writeCertificates(work, certificates);
    const stateFile = join(work, 'state.yaml');
    writeFileSync(stateFile, stateYaml());
    const bundle = await bundleProgram('kuma-injector', bundleDir);
    const port = await freePort();
    const args = ['serve', '--host', '127.0.0.1', '--port', String(port), '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile, '--state', stateFile, '--shutdown-delay', '0', '--log-level', 'warn'];
    const logFile = join(work, 'webhook.log');
    const server = await startServer('webhook', bundle, args, port, logFile, productionNodeOptions());
    return {
      server,
      ca: certificates.caCert,
      close: async () => {
        // A webhook that exited by itself crashed: its last words go to the report.
        if (server.child.exitCode !== null || server.child.signalCode !== null) console.error(`the webhook exited:\n${readFileSync(logFile, 'utf8').slice(-4000)}`);
        await stop(server);
        cleanup();
      },
    };
  } catch (error) {
    cleanup();
    throw error;
  }
}

/** A good pod, after the run: still injected with a patch. */
export function goodReview(uid: string) {
  return { kind: 'good pod after the run', body: JSON.stringify(podAdmissionReview(realisticPod(fuzzNamespace), { namespace: fuzzNamespace, uid })) };
}

/** The largest pods the API server would accept (annotations ≤ 256 KiB, object ≤ 1.5 MiB), one review each. */
export function worstCasePods() {
  const annotated = (key: string, piece: string, separator: string) => {
    const pod = realisticPod(fuzzNamespace) as { metadata: Record<string, unknown> };
    const count = Math.floor((apiServerAnnotationBytes - key.length) / (piece.length + separator.length));
    pod.metadata.annotations = { [key]: Array.from({ length: count }, () => piece).join(separator) };
    return pod;
  };
  const pods: [string, Record<string, unknown>][] = [
    ['256 KiB exclude-outbound-ports-for-uids (a;a;…)', annotated('traffic.kuma.io/exclude-outbound-ports-for-uids', 'a', ';')],
    ['256 KiB exclude-outbound-ports-for-uids (1000:80;…)', annotated('traffic.kuma.io/exclude-outbound-ports-for-uids', '1000:80', ';')],
    ['256 KiB sidecar-env-vars', annotated('kuma.io/sidecar-env-vars', 'V=x', ';')],
    ['256 KiB container-patches', annotated('kuma.io/container-patches', fuzzPatchNames.good, ',')],
    ['256 KiB exclude-outbound-ips', annotated('traffic.kuma.io/exclude-outbound-ips', '10.0.0.1', ',')],
    [`${maxAnnotationListItems} container-patches (the list bound)`, annotated('kuma.io/container-patches', fuzzPatchNames.good, ',')],
    ['60 containers × 400 env vars', widePod(fuzzNamespace, 60, 400)],
    ['1,800 containers with probes', widePod(fuzzNamespace, 1800, 0)],
  ];
  // Ports clear of the ones Kuma reserves (9000, 9001, 15000-15100): the widest pod is injected, not refused.
  const widest = pods[7]![1] as { spec: { containers: { ports: { containerPort: number }[]; readinessProbe: { tcpSocket: { port: number } } }[] } };
  widest.spec.containers.forEach((container, c) => {
    container.ports[0]!.containerPort = 20_000 + c;
    container.readinessProbe.tcpSocket.port = 20_000 + c;
  });
  // The list-bound case holds exactly the bound.
  const bound = pods[5]![1] as { metadata: { annotations: Record<string, string> } };
  bound.metadata.annotations = { 'kuma.io/container-patches': Array.from({ length: maxAnnotationListItems }, () => fuzzPatchNames.good).join(',') };
  return [
    ...pods.map(([kind, pod], i) => ({ kind, body: JSON.stringify(podAdmissionReview(pod, { namespace: fuzzNamespace, uid: `worst-${i}` })) })),
    ...issueCases().filter((c) => c.kind.includes('2.9 MB')),
  ];
}

/** Sends the worst-case pods to a fresh webhook one at a time; its peak RSS over them. */
async function worstCaseRun(): Promise<{ rows: string[][]; peakMb: number; report: FuzzReport }> {
  const webhook = await startFuzzWebhook();
  try {
    const pid = webhook.server.child.pid!;
    const rows: string[][] = [];
    let report: FuzzReport | undefined;
    const idleMb = memoryMb(pid, 'VmHWM');
    for (const review of worstCasePods()) {
      const one = await runFuzz({ port: webhook.server.port, ca: webhook.ca }, [review], { concurrency: 1, alive: () => webhook.server.child.exitCode === null });
      const status = Object.keys(one.byStatus).join(', ');
      const answer = one.allowed ? (one.patchesApplied ? 'injected' : 'allowed') : one.denied ? 'denied' : status;
      rows.push([review.kind, `${(review.body.length / 1024 / 1024).toFixed(2)} MB`, `${status} ${answer}`, `${memoryMb(pid, 'VmHWM').toFixed(0)} MB`]);
      report = merge(report, one);
    }
    return { rows, peakMb: Math.max(idleMb, memoryMb(pid, 'VmHWM')), report: report! };
  } finally {
    await webhook.close();
  }
}

/** Bodies in flight at once in the largest-bodies run: the fuzz run's concurrency. */
const largestConcurrency = 16;

/**
 * The costliest bodies the webhook accepts: a review of a good pod padded to just under the
 * default body limit, with as many empty objects as the object bound lets through (the most
 * heap per byte once parsed) and one long string for the rest.
 */
export function largestBodies(count: number): { kind: string; body: string }[] {
  const kind = `${(defaultBodyLimit / 1024 / 1024).toFixed(0)} MiB review: ${maxBodyContainers} objects, the rest a string`;
  return Array.from({ length: count }, (_, i) => {
    const review = JSON.stringify(podAdmissionReview(realisticPod(fuzzNamespace), { namespace: fuzzNamespace, uid: `largest-${i}` }));
    // The review's own objects count too: a few hundred at most.
    const objects = maxBodyContainers - 1000;
    const padding = `,"padding":[${'{},'.repeat(objects - 1)}{}],"filler":"`;
    const filler = 'x'.repeat(defaultBodyLimit - review.length - padding.length - 64);
    return { kind, body: `${review.slice(0, -1)}${padding}${filler}"}` };
  });
}

/** The largest bodies, 16 at a time, to a fresh webhook: its peak RSS and the answers. */
async function largestBodiesRun(): Promise<{ peakMb: number; report: FuzzReport }> {
  const webhook = await startFuzzWebhook();
  try {
    const alive = () => webhook.server.child.exitCode === null && webhook.server.child.signalCode === null;
    const report = await runFuzz({ port: webhook.server.port, ca: webhook.ca }, largestBodies(4 * largestConcurrency), { concurrency: largestConcurrency, alive });
    return { peakMb: alive() ? memoryMb(webhook.server.child.pid!, 'VmHWM') : NaN, report };
  } finally {
    await webhook.close();
  }
}

function merge(a: FuzzReport | undefined, b: FuzzReport): FuzzReport {
  if (!a) return b;
  const byStatus = { ...a.byStatus };
  for (const [status, n] of Object.entries(b.byStatus)) byStatus[status] = (byStatus[status] ?? 0) + n;
  return {
    ...a,
    total: a.total + b.total,
    byStatus,
    allowed: a.allowed + b.allowed,
    patchesApplied: a.patchesApplied + b.patchesApplied,
    denied: a.denied + b.denied,
    serverErrors: a.serverErrors + b.serverErrors,
    transportErrors: a.transportErrors + b.transportErrors,
    badAnswers: a.badAnswers + b.badAnswers,
    findings: [...a.findings, ...b.findings],
    seconds: a.seconds + b.seconds,
  };
}

const table = (head: string[], rows: string[][]) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

async function main(): Promise<void> {
  const count = Number(process.env.FUZZ_REVIEWS ?? 100_000);
  const seed = Number(process.env.FUZZ_SEED ?? 9);
  const concurrency = 16;

  const webhook = await startFuzzWebhook();
  let fuzz: FuzzReport;
  let rssAfter: number;
  let peak: number;
  let crashed: boolean;
  let goodAfter: FuzzReport;
  try {
    const alive = () => webhook.server.child.exitCode === null && webhook.server.child.signalCode === null;
    console.log(`fuzzing with ${count} reviews (seed ${seed}, ${concurrency} at a time) ...`);
    fuzz = await runFuzz({ port: webhook.server.port, ca: webhook.ca }, fuzzReviews(seed, count), { concurrency, alive });
    crashed = !alive();
    goodAfter = crashed ? fuzz : await runFuzz({ port: webhook.server.port, ca: webhook.ca }, [goodReview('good-after')], { concurrency: 1, alive });
    const pid = webhook.server.child.pid!;
    peak = crashed ? NaN : memoryMb(pid, 'VmHWM');
    rssAfter = crashed ? NaN : memoryMb(pid, 'VmRSS');
  } finally {
    await webhook.close();
  }
  console.log('worst-case single pods on a fresh webhook ...');
  const worst = await worstCaseRun();
  console.log(`the largest bodies, ${largestConcurrency} at a time, on a fresh webhook ...`);
  const largest = await largestBodiesRun();

  const goodStillInjected = !crashed && goodAfter.patchesApplied === 1;
  const failures = [fuzz, worst.report, largest.report].reduce((sum, r) => sum + r.serverErrors + r.transportErrors + r.badAnswers, 0);
  const ok = failures === 0 && !crashed && goodStillInjected && worst.peakMb <= peakRssTargetMb && largest.peakMb <= peakRssTargetMb;
  const largestAnswers = Object.entries(largest.report.byStatus).sort().map(([s, n]) => `${s}: ${n}`).join(', ');
  const statusRows = Object.entries(fuzz.byStatus).sort().map(([status, n]) => [status, String(n)]);
  const kindRows = Object.entries(fuzz.byKind)
    .sort()
    .map(([kind, statuses]) => [kind, Object.entries(statuses).sort().map(([s, n]) => `${s}: ${n}`).join(', ')]);
  const summary = table(
    ['measurement', 'result', 'target'],
    [
      ['reviews sent', `${fuzz.total} in ${fuzz.seconds.toFixed(0)} s`, `${count}`],
      ['5xx answers', `${fuzz.serverErrors}`, '0'],
      ['crashes (server exited) / transport errors', `${crashed ? 1 : 0} / ${fuzz.transportErrors}`, '0 / 0'],
      ['answers not a review for the uid, or a 4xx without a catalogued code', `${fuzz.badAnswers}`, '0'],
      ['allowed answers with a patch, every one applied by fast-json-patch (validated, no prototype changes)', `${fuzz.patchesApplied} of ${fuzz.allowed} allowed`, 'all apply'],
      ['denied with a message', `${fuzz.denied}`, '-'],
      ['a good pod injected after the run', goodStillInjected ? 'yes' : '**no**', 'yes'],
      ['webhook peak RSS during the run (VmHWM; 16 hostile requests at once, bodies up to 3 MB)', `${peak.toFixed(0)} MB`, '-'],
      ['webhook RSS after the run', `${rssAfter.toFixed(0)} MB`, '-'],
      ['peak RSS over the worst-case single pods (fresh webhook)', `${worst.peakMb.toFixed(0)} MB`, `≤ ${peakRssTargetMb} MB`],
      [`peak RSS under the largest bodies, ${largestConcurrency} at a time (fresh webhook; ${largest.report.total} sent, answers ${largestAnswers})`, `${largest.peakMb.toFixed(0)} MB`, `≤ ${peakRssTargetMb} MB`],
    ],
  );
  const findings = [...fuzz.findings, ...worst.report.findings, ...largest.report.findings];
  const text = [
    'Command: `npm run fuzz:webhook` (`FUZZ_REVIEWS=<n>`, default 100,000; `FUZZ_SEED=<n>`, default 9). A 2,000-review slice runs in `npm test` (bench/webhook-fuzz.test.ts).',
    '',
    `What it does: builds the production bundle (\`bin/bundle.ts\`) and runs \`kuma-injector serve\` from it as a child process with the image's NODE_OPTIONS, file state (an injected namespace, the default Mesh, a ContainerPatch and one whose path is \`/__proto__/polluted\`) and loopback HTTPS. It sends the issue's cases (2.9 MB and 256 KB list annotations, wrong-typed probe fields, 20,000 levels of nesting, the polluting ContainerPatch), then generated pods (the property tests' generator), the same pods mutated (fields replaced by values of every wrong type and size, deep nesting, hostile Kuma list annotations up to 256 KiB, prototype keys), broken envelopes and corrupted JSON text, 16 at a time on keep-alive connections. Every 200 must be a review for the same uid, and every allowed patch must apply to the pod sent with fast-json-patch (each operation validated, prototype changes banned); every other answer must be a 4xx with a catalogued code. Then a good pod must still be injected. A second, fresh webhook gets the worst single pods the API server would accept, one at a time, and its peak RSS (VmHWM) is read. A third gets the costliest bodies it accepts, ${largestConcurrency} at a time: reviews padded to the body limit with ${maxBodyContainers - 1000} empty objects (just under the object bound) and one long string; its peak RSS is read, and every answer must be a review or a catalogued 4xx (429 for the excess).`,
    '',
    `Bounds (webhook/limits): annotations over the API server's ${apiServerAnnotationBytes} bytes are refused before the engine reads them; at most ${maxAnnotationListItems} items are built from one list annotation; bodies nested over ${maxBodyDepth} levels get 400; bodies with more than ${maxBodyContainers} objects and arrays get 400 before they are parsed; at most ${defaultMaxInflightBytes} bytes of bodies are held at once (\`--max-inflight-bytes\`), beyond which requests get 429 with Retry-After, unread; a patch over ${maxPatchBytes} bytes is refused; log fields are capped.`,
    '',
    'Memory: every request in flight holds its body, its parsed object and its answer, so the peak grows with the bytes of bodies in flight, not with one request. Two bounds keep it under the chart\'s 256 Mi: the object bound caps what one body costs once parsed (7 MiB of empty objects would be 2.4 million objects, over 800 MB of RSS for one request), and the in-flight budget caps how many such bodies are answered at once; V8\'s old generation is capped (`--max-old-space-size=160` in the image\'s NODE_OPTIONS) so that their garbage is collected rather than left to grow. Before these bounds, 16 of the largest bodies at once took the webhook to 580 MB (2.9 GB with bodies of empty objects only), and the hostile run\'s 16 requests of up to 3 MB to 254 MB.',
    '',
    `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, seed ${seed}. Verdict: ${ok ? 'all targets met' : '**targets missed**'}.`,
    '',
    summary,
    '',
    'Answers by status:',
    '',
    table(['status', 'count'], statusRows),
    '',
    'By input kind:',
    '',
    table(['input', 'answers'], kindRows),
    '',
    'Worst-case single pods (fresh webhook, one at a time; peak RSS so far after each):',
    '',
    table(['pod', 'review size', 'answer', 'peak RSS'], worst.rows),
    ...(findings.length ? ['', 'Findings (first 20):', '', ...findings.map((f) => `- ${f.kind}: ${f.what.replace(/\n/g, ' ')}`)] : []),
  ].join('\n');
  console.log(`\n${text}\n`);
  const docs = join(repo, 'docs', 'robustness.md');
  if (!existsSync(docs)) writeFileSync(docs, '# Robustness\n\nHow the webhook and kuma-init behave on hostile input and faults, and the runs that show it.\n');
  replaceSection(docs, 'The webhook', text);
  console.log('results written to docs/robustness.md (section "The webhook")');
  if (!ok) process.exitCode = 1;
}

if (process.argv[1]?.endsWith('webhook-fuzz.ts')) await main();
