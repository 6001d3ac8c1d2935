// Posting an AdmissionReview to a webhook over real HTTPS (TLS verified
// against the test CA), on a keep-alive connection like the API server's.
import { Agent, request } from 'node:https';

export interface HttpsReviewClient {
  /** POSTs the review (an object, or its JSON text as is). */
  post(review: unknown): Promise<{ statusCode: number; body: string }>;
  close(): void;
}

export function httpsReviewClient(port: number, ca: string): HttpsReviewClient {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca, servername: 'localhost' });
  return {
    post: (review) =>
      new Promise((resolve, reject) => {
        const body = typeof review === 'string' ? review : JSON.stringify(review);
        const req = request(
          { host: '127.0.0.1', port, path: '/inject-sidecar', method: 'POST', agent, headers: { 'content-type': 'application/json' } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}
