// The benchmark's floors: a bare Fastify HTTPS server that parses the same
// AdmissionReview the webhook gets and answers it, with no injection.
//   echo  — the floor ("a bare Fastify HTTPS echo of the same
//           review"): the parsed review is sent back as JSON, the same size as
//           received. The throughput target is judged against this one.
//   allow — a minimal-allow webhook: the ~100-byte "allowed" response. Kept as
//           a second, reported reference so the floor is not moved quietly.
// Run as a child process: node --import tsx bench/admission-echo-server.ts <echo|allow> <port> <cert> <key>
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const [mode, port, certFile, keyFile] = process.argv.slice(2);
if ((mode !== 'echo' && mode !== 'allow') || !port || !certFile || !keyFile) {
  throw new Error('usage: admission-echo-server.ts <echo|allow> <port> <cert.pem> <key.pem>');
}

const app = Fastify({
  https: { cert: readFileSync(certFile), key: readFileSync(keyFile) },
  bodyLimit: 8 << 20,
  logger: false,
});

type Review = { apiVersion?: string; request?: { uid?: string } };

const answer =
  mode === 'echo'
    ? (review: Review) => review
    : (review: Review) => ({ apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid: review.request?.uid, allowed: true } });

// The same probe path as the webhook, so the parent waits for all servers the same way.
app.get('/healthz', () => 'ok');
app.post('/inject-sidecar', (request) => answer(request.body as Review));

await app.listen({ host: '127.0.0.1', port: Number(port) });
