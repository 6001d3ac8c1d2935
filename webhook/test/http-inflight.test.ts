// The in-flight budget of admission bodies (webhook/http/inflight-budget.ts)
// on a real HTTPS server: requests held half-sent on raw TLS connections fill
// it, the next one gets 429 with Retry-After at once, and every way a request
// can end (answered, refused as malformed, too large, aborted, timed out)
// gives its bytes back, which the gauge and a later request show.
import { connect, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { podAdmissionReview, samplePod } from '../demo/sample-review.ts';
import { WebhookMetrics } from '../http/index.ts';
import { decodeResponse, testCertificates, testServer } from '../../test-support/webhook/http-fixtures.ts';

const bodyLimit = 100_000;
const maxInflightBytes = 2 * bodyLimit;

let cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function listening(overrides: Parameters<typeof testServer>[0] = {}) {
  const metrics = new WebhookMetrics({ processMetrics: false });
  const app = await testServer({ bodyLimit, maxInflightBytes, metrics, ...overrides });
  cleanup.push(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const { caCert } = await testCertificates();
  const exposition = () => metrics.exposition();
  return { port: typeof address === 'object' && address ? address.port : 0, ca: caCert, exposition };
}

/** A review padded with trailing spaces (still JSON) to exactly `bytes`. */
function reviewOf(bytes: number, uid = 'inflight'): string {
  const review = JSON.stringify(podAdmissionReview(samplePod(), { uid }));
  return review.padEnd(bytes, ' ');
}

/** A POST on its own TLS connection; `body` is what is sent of a body of `length` bytes. */
interface Exchange {
  socket: TLSSocket;
  /** The raw answer, once the server has sent one complete response. */
  answer: Promise<{ status: number; headers: string; body: string }>;
}

function post(port: number, ca: string, length: number, body: string): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      socket.write(`POST /inject-sidecar HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n${body}`);
      resolve({ socket, answer });
    });
    cleanup.push(() => socket.destroy());
    socket.on('error', () => {});
    let text = '';
    const answer = new Promise<{ status: number; headers: string; body: string }>((done) => {
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const end = text.indexOf('\r\n\r\n');
        const declared = /\r\ncontent-length: (\d+)/i.exec(text)?.[1];
        if (end < 0 || declared === undefined || text.length < end + 4 + Number(declared)) return;
        done({ status: Number(text.slice(9, 12)), headers: text.slice(0, end).toLowerCase(), body: text.slice(end + 4, end + 4 + Number(declared)) });
      });
    });
  });
}

const inflightBytes = async (exposition: () => Promise<string>) => Number(/^kuma_injector_inflight_request_bytes (\d+)$/m.exec(await exposition())?.[1]);

/** Holds `bytes` of the budget: a request whose body is not sent yet. */
async function hold(port: number, ca: string, exposition: () => Promise<string>, bytes: number, before: number): Promise<Exchange> {
  const held = await post(port, ca, bytes, '');
  await vi.waitFor(async () => expect(await inflightBytes(exposition)).toBe(before + bytes), { timeout: 5000, interval: 10 });
  return held;
}

describe('the in-flight budget of admission bodies', () => {
  it('refuses a request beyond the budget with 429 and Retry-After, unread and counted; then serves again', async () => {
    const { port, ca, exposition } = await listening();
    const first = await hold(port, ca, exposition, bodyLimit, 0);
    const second = await hold(port, ca, exposition, bodyLimit, bodyLimit);

    const refused = await post(port, ca, 1000, reviewOf(1000));
    const answer = await refused.answer;
    expect(answer.status).toBe(429);
    expect(answer.headers).toContain('\r\nretry-after: 1');
    expect(JSON.parse(answer.body)).toMatchObject({ statusCode: 429, code: 'KI_ERR_TOO_MANY_REQUESTS' });
    expect(await exposition()).toMatch(/^kuma_injector_admissions_total\{result="throttled",reason="KI_ERR_TOO_MANY_REQUESTS",dry_run="false"\} 1$/m);

    // The held requests complete and are answered; their bytes come back.
    first.socket.write(reviewOf(bodyLimit, 'first'));
    second.socket.write(reviewOf(bodyLimit, 'second'));
    for (const held of [first, second]) {
      const done = await held.answer;
      expect(done.status).toBe(200);
      expect(decodeResponse(done.body).response.allowed).toBe(true);
    }
    await vi.waitFor(async () => expect(await inflightBytes(exposition)).toBe(0), { timeout: 5000, interval: 10 });
    const later = await post(port, ca, bodyLimit, reviewOf(bodyLimit, 'later'));
    expect((await later.answer).status).toBe(200);
  });

  it('serves a lone request at the body limit, and requests that fit beside others', async () => {
    const { port, ca, exposition } = await listening();
    const held = await hold(port, ca, exposition, bodyLimit, 0);
    const beside = await post(port, ca, bodyLimit, reviewOf(bodyLimit, 'beside'));
    expect((await beside.answer).status).toBe(200);
    held.socket.write(reviewOf(bodyLimit));
    expect((await held.answer).status).toBe(200);
  });

  // Each ending, with the budget otherwise full: the bytes must come back for the next request to fit.
  const endings: [string, (exchange: Exchange) => void, number | undefined][] = [
    ['answered', (e) => void e.socket.write(reviewOf(bodyLimit).slice('{"apiVersion":'.length)), 200],
    ['refused as malformed JSON', (e) => void e.socket.write('{'.padEnd(bodyLimit - '{"apiVersion":'.length, ' ')), 400],
    ['aborted by the client mid-body', (e) => void e.socket.destroy(), undefined],
  ];
  it.each(endings)('gives the bytes back when the request is %s', async (_name, end, status) => {
    const { port, ca, exposition } = await listening();
    await hold(port, ca, exposition, bodyLimit, 0);
    const ending = await post(port, ca, bodyLimit, '{"apiVersion":');
    await vi.waitFor(async () => expect(await inflightBytes(exposition)).toBe(2 * bodyLimit), { timeout: 5000, interval: 10 });
    end(ending);
    if (status !== undefined) expect((await ending.answer).status).toBe(status);
    await vi.waitFor(async () => expect(await inflightBytes(exposition)).toBe(bodyLimit), { timeout: 5000, interval: 10 });
    const next = await post(port, ca, bodyLimit, reviewOf(bodyLimit, 'next'));
    expect((await next.answer).status).toBe(200);
  });

  it('gives the bytes back when the request times out, and reserves at most the body limit for a larger one (413)', async () => {
    const { port, ca, exposition } = await listening({ requestTimeout: 300 });
    const slow = await hold(port, ca, exposition, bodyLimit, 0);
    const tooLarge = await post(port, ca, 10 * bodyLimit, '');
    expect((await tooLarge.answer).status).toBe(413);
    expect((await slow.answer).status).toBe(408);
    await vi.waitFor(async () => expect(await inflightBytes(exposition)).toBe(0), { timeout: 5000, interval: 10 });
  });

  it('refuses to start with a budget smaller than one body at the limit', async () => {
    await expect(testServer({ bodyLimit, maxInflightBytes: bodyLimit - 1 })).rejects.toThrow(/must hold one body at the body limit/);
  });
});
