import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KUMA_PROBE_TIMING, exchangeToken, startTokenServer } from './token-probe.ts';

// Real sockets on 127.0.0.1 only: the client dials the server directly here;
// the redirect itself is exercised by the netns tests.
const timing = { ...KUMA_PROBE_TIMING, connectTimeoutMs: 1000, replyTimeoutMs: 300 };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

function impostor(onSocket: (s: import('node:net').Socket) => void): Promise<number> {
  const server: Server = createServer(onSocket);
  cleanups.push(() => new Promise((r) => server.close(() => r())));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

describe('token exchange', () => {
  it('succeeds when the validation server itself answers', async () => {
    let connections = 0;
    const server = await startTokenServer('127.0.0.1', 0, () => connections++);
    cleanups.push(() => server.close());
    const port = Number(server.address.split(':')[1]);
    await expect(exchangeToken('127.0.0.1', '127.0.0.1', port, server.token, timing)).resolves.toBeUndefined();
    expect(connections).toBe(1);
  });

  it('uses a fresh token per server', async () => {
    const a = await startTokenServer('127.0.0.1', 0, () => {});
    const b = await startTokenServer('127.0.0.1', 0, () => {});
    cleanups.push(() => a.close(), () => b.close());
    expect(a.token).not.toBe(b.token);
    const portB = Number(b.address.split(':')[1]);
    await expect(exchangeToken('127.0.0.1', '127.0.0.1', portB, a.token, timing)).rejects.toThrow(/instead of the validation token/);
  });

  it('fails when another listener answers', async () => {
    const port = await impostor((s) => s.end('127.0.0.1'));
    await expect(exchangeToken('127.0.0.1', '127.0.0.1', port, 'expected-token', timing)).rejects.toThrow(
      /received "127\.0\.0\.1" instead of the validation token/,
    );
  });

  it('fails when a listener accepts but never answers', async () => {
    const held: import('node:net').Socket[] = [];
    const port = await impostor((s) => held.push(s));
    cleanups.push(() => {
      held.forEach((s) => s.destroy());
      return Promise.resolve();
    });
    await expect(exchangeToken('127.0.0.1', '127.0.0.1', port, 'expected-token', timing)).rejects.toThrow(/no token arrived/);
  });

  it('fails when a listener accepts and closes silently', async () => {
    const port = await impostor((s) => s.end());
    await expect(exchangeToken('127.0.0.1', '127.0.0.1', port, 'expected-token', timing)).rejects.toThrow(
      /closed without the validation token/,
    );
  });

  it('reports a refused connection like the Go dialer', async () => {
    const port = await impostor(() => {});
    await cleanups.pop()!();
    await expect(exchangeToken('127.0.0.1', '127.0.0.1', port, 't', timing)).rejects.toThrow(
      `dial tcp 127.0.0.1:${port}: connect: connection refused`,
    );
  });

  it('reports a busy port like Go', async () => {
    const port = await impostor(() => {});
    await expect(startTokenServer('127.0.0.1', port, () => {})).rejects.toThrow(
      `listen tcp 127.0.0.1:${port}: bind: address already in use`,
    );
  });
});
