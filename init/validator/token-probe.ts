// The edge of the validator: a TCP server that answers each connection with a
// random per-run token, and a client that dials an address nothing listens on
// (so only the transparent-proxy redirect can connect it) and must read back
// exactly that token. Kuma's client stops at "connected"; reading the token
// also catches a redirect that lands on another listener, and a listener that
// accepts but never forwards.
import { randomBytes, randomInt } from 'node:crypto';
import { connect, createServer, type Server } from 'node:net';

export interface ProbeTiming {
  /** Attempts in all (Kuma: 1 + 10 retries). */
  attempts: number;
  retryIntervalMs: number;
  /** Kuma's dialer timeout. */
  connectTimeoutMs: number;
  /** How long the token may take once connected. */
  replyTimeoutMs: number;
}

export const KUMA_PROBE_TIMING: ProbeTiming = { attempts: 11, retryIntervalMs: 1000, connectTimeoutMs: 50, replyTimeoutMs: 1000 };

/** Go's syscall error texts for the errors a loopback probe meets. */
const GO_ERRNO: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'cannot assign requested address',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  ENETUNREACH: 'network is unreachable',
};

function goErrno(e: NodeJS.ErrnoException): string {
  return (e.code && GO_ERRNO[e.code]) ?? e.message;
}

export interface TokenServer {
  readonly token: string;
  readonly address: string;
  close(): Promise<void>;
}

export function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Listens on ip:port and answers every connection with the token, then closes it. */
export function startTokenServer(ip: string, port: number, onConnection: (address: string) => void): Promise<TokenServer> {
  const token = randomBytes(24).toString('hex');
  let address = hostPort(ip, port);
  const server: Server = createServer((socket) => {
    onConnection(address);
    socket.on('error', () => socket.destroy());
    socket.end(token);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`listen tcp ${hostPort(ip, port)}: bind: ${goErrno(e)}`)));
    server.listen({ host: ip, port, exclusive: true }, () => {
      const bound = server.address();
      if (typeof bound === 'object' && bound) address = hostPort(ip, bound.port);
      resolve({
        token,
        address,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** A port in Kuma's 20000–29999 range, fresh for every attempt. */
export function randomProbePort(): number {
  return 20000 + randomInt(10000);
}

/**
 * One attempt: bind `bindIp`, dial `connectIp:port`, read until the peer closes.
 * Resolves on the exact token; rejects with a Go-dialer-like message otherwise.
 */
export function exchangeToken(bindIp: string, connectIp: string, port: number, token: string, timing: ProbeTiming): Promise<void> {
  const target = hostPort(connectIp, port);
  return new Promise((resolve, reject) => {
    let connected = false;
    let received = '';
    const socket = connect({ host: connectIp, port, localAddress: bindIp });
    const finish = (err?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    let timer = setTimeout(() => finish(new Error(`dial tcp ${target}: i/o timeout`)), timing.connectTimeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      connected = true;
      clearTimeout(timer);
      timer = setTimeout(
        () =>
          finish(
            new Error(
              `connected to ${target} but no token arrived within ${timing.replyTimeoutMs}ms: something accepted the connection without forwarding it to the validation server`,
            ),
          ),
        timing.replyTimeoutMs,
      );
    });
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.length > token.length) socket.destroy(); // 'close' reports the mismatch
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (connected) return; // a reset after connecting is judged by what was received, on 'close'
      finish(new Error(`dial tcp ${target}: connect: ${goErrno(e)}`));
    });
    socket.on('close', () => {
      if (!connected) return;
      if (received === token) return finish();
      finish(
        new Error(
          received === ''
            ? `connected to ${target} but the connection closed without the validation token: it did not reach the validation server`
            : `connected to ${target} but received ${JSON.stringify(received.slice(0, 64))} instead of the validation token: the connection reached a different listener`,
        ),
      );
    });
  });
}
