// The agent's HTTP endpoints: /readyz answers 200 only while the chain holds
// kuma-cni and the binary is in place (checked afresh on every request, from
// the files themselves), /healthz answers 200 while the process serves.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentLog } from './log.ts';

export interface ReadinessServer {
  /** `host:port` actually bound (port 0 in the config picks a free one). */
  address: string;
  close(): Promise<void>;
}

export async function startReadinessServer(
  listen: { host: string; port: number },
  problems: () => Promise<string[]>,
  log: AgentLog,
): Promise<ReadinessServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    const reply = (status: number, body: string) => {
      response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(405, 'method not allowed\n');
    if (path === '/healthz') return reply(200, 'ok\n');
    if (path !== '/readyz') return reply(404, 'not found\n');
    problems().then(
      (found) => reply(found.length ? 503 : 200, found.length ? `${found.join('\n')}\n` : 'ok\n'),
      (error: Error) => reply(503, `${error.message}\n`),
    );
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, resolve);
  });
  const bound = server.address() as AddressInfo;
  const address = bound.family === 'IPv6' ? `[${bound.address}]:${bound.port}` : `${bound.address}:${bound.port}`;
  log.info('readiness endpoint listening', { address });
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
