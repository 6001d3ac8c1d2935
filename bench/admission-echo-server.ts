// The benchmark's floor: a bare Fastify HTTPS server that parses the same
// AdmissionReview and answers "allowed" with no injection. Whatever the webhook
// costs above this is the injector's own cost (JSON parse, TLS and HTTP are common).
// Run as a child process: node --import tsx bench/admission-echo-server.ts <port> <cert> <key>
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const [port, certFile, keyFile] = process.argv.slice(2);
if (!port || !certFile || !keyFile) throw new Error('usage: admission-echo-server.ts <port> <cert.pem> <key.pem>');

const app = Fastify({
  https: { cert: readFileSync(certFile), key: readFileSync(keyFile) },
  bodyLimit: 8 << 20,
  logger: false,
});

// The same probe path as the webhook, so the parent waits for both the same way.
app.get('/healthz', () => 'ok');
app.post('/inject-sidecar', (request) => {
  const review = request.body as { apiVersion?: string; request?: { uid?: string } };
  return { apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid: review.request?.uid, allowed: true } };
});

await app.listen({ host: '127.0.0.1', port: Number(port) });
