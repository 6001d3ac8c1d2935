// The webhook fuzzer's client: sends reviews to a running webhook over HTTPS
// (keep-alive, `concurrency` at a time), and checks every answer: a 200 is a
// response review for the same uid, and an allowed one's patch applies
// cleanly to the pod it was sent (fast-json-patch, validating every
// operation, prototype changes banned); anything else is a catalogued 4xx.
// Counts answers by status and input kind; 5xx, transport errors and bad
// patches are kept as samples for the report.
import { Agent, request } from 'node:https';
import jsonpatch, { type Operation } from 'fast-json-patch';
import type { FuzzReview } from './webhook-fuzz-reviews.ts';

export interface FuzzTarget {
  port: number;
  ca: string;
}

export interface FuzzFinding {
  kind: string;
  what: string;
  /** The start of the request body. */
  body: string;
}

export interface FuzzReport {
  total: number;
  byStatus: Record<string, number>;
  byKind: Record<string, Record<string, number>>;
  allowed: number;
  patchesApplied: number;
  denied: number;
  serverErrors: number;
  transportErrors: number;
  badAnswers: number;
  findings: FuzzFinding[];
  seconds: number;
}

const maxFindings = 20;

function post(agent: Agent, target: FuzzTarget, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: target.port, path: '/inject-sidecar', method: 'POST', agent, headers: { 'content-type': 'application/json' }, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer in 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** What is wrong with a 200 answer, or undefined; `allowed`/`patched` tell what it was. */
function checkReview(body: string, text: string): { problem?: string; allowed?: boolean; patched?: boolean } {
  let review: { response?: { uid?: unknown; allowed?: unknown; patch?: unknown; patchType?: unknown } };
  try {
    review = JSON.parse(text) as typeof review;
  } catch {
    return { problem: 'the 200 answer is not JSON' };
  }
  const response = review.response;
  if (typeof response?.allowed !== 'boolean') return { problem: 'the 200 answer has no response.allowed' };
  const sent = JSON.parse(body) as { request: { uid: unknown; object: unknown } };
  if (response.uid !== sent.request.uid) return { problem: 'the answer is for another uid' };
  if (!response.allowed || response.patch === undefined) return { allowed: response.allowed, patched: false };
  if (response.patchType !== 'JSONPatch' || typeof response.patch !== 'string') return { problem: 'the patch is not a base64 JSONPatch' };
  try {
    const ops = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as Operation[];
    jsonpatch.applyPatch(sent.request.object, ops, true, true, true);
  } catch (error) {
    return { problem: `the patch does not apply: ${String(error).slice(0, 300)}` };
  }
  return { allowed: true, patched: true };
}

/** Sends every review of `reviews` and checks every answer; stops early only if `alive()` turns false. */
export async function runFuzz(target: FuzzTarget, reviews: Iterable<FuzzReview>, options: { concurrency: number; alive: () => boolean }): Promise<FuzzReport> {
  const report: FuzzReport = { total: 0, byStatus: {}, byKind: {}, allowed: 0, patchesApplied: 0, denied: 0, serverErrors: 0, transportErrors: 0, badAnswers: 0, findings: [], seconds: 0 };
  const finding = (review: FuzzReview, what: string) => {
    if (report.findings.length < maxFindings) report.findings.push({ kind: review.kind, what, body: review.body.slice(0, 200) });
  };
  const count = (review: FuzzReview, status: string) => {
    report.byStatus[status] = (report.byStatus[status] ?? 0) + 1;
    const kind = (report.byKind[review.kind] ??= {});
    kind[status] = (kind[status] ?? 0) + 1;
  };
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency, ca: target.ca, servername: 'localhost' });
  const iterator = reviews[Symbol.iterator]();
  const started = Date.now();
  const worker = async () => {
    for (let next = iterator.next(); !next.done && options.alive(); next = iterator.next()) {
      const review = next.value;
      report.total++;
      let answer: { status: number; text: string };
      try {
        answer = await post(agent, target, review.body);
      } catch (error) {
        report.transportErrors++;
        count(review, 'transport error');
        finding(review, `transport error: ${String(error)}`);
        continue;
      }
      count(review, String(answer.status));
      if (answer.status >= 500) {
        report.serverErrors++;
        finding(review, `HTTP ${answer.status}: ${answer.text.slice(0, 300)}`);
      } else if (answer.status === 200) {
        const checked = checkReview(review.body, answer.text);
        if (checked.problem) {
          report.badAnswers++;
          finding(review, checked.problem);
        } else if (checked.allowed) {
          report.allowed++;
          if (checked.patched) report.patchesApplied++;
        } else report.denied++;
      } else if (!/"code":"KI_ERR_[A-Z_]+"/.test(answer.text)) {
        report.badAnswers++;
        finding(review, `HTTP ${answer.status} without a catalogued code: ${answer.text.slice(0, 300)}`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  report.seconds = (Date.now() - started) / 1000;
  return report;
}
