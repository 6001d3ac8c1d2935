// The benchmark's floor: a bare Fastify HTTPS server that parses the same
// AdmissionReview and answers "allowed" with no injection. Whatever the webhook
// costs above this is the injector's own cost (JSON parse, TLS and HTTP are common).
// Run as a child process: node --import tsx bench/admission-echo-server.ts <cert> <key>
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const [certFile, keyFile] = process.argv.slice(2);
if (!certFile || !keyFile) throw new Error('usage: admission-echo-server.ts <cert.pem> <key.pem>');

const app = Fastify({
  https: { cert: readFileSync(certFile), key: readFileSync(keyFile) },
  bodyLimit: 8 << 20,
  logger: false,
});

app.post('/inject-sidecar', async (request) => {
  const review = request.body as { apiVersion?: string; request?: { uid?: string } };
  return { apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid: review.request?.uid, allowed: true } };
});

await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
// The parent waits for this line to learn the port.
process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
