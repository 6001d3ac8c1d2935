// The admission path answers only POST: other methods get 405 with `Allow: POST`
// (a catalogued error), unknown paths keep 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer } from '../../test-support/webhook/http-fixtures.ts';

describe('methods on /inject-sidecar', () => {
  let app: Awaited<ReturnType<typeof testServer>>;
  beforeAll(async () => {
    app = await testServer();
  });
  afterAll(() => app.close());

  it.each(['GET', 'PUT', 'DELETE', 'PATCH'] as const)('%s gets 405 KI_ERR_METHOD_NOT_ALLOWED with Allow: POST', async (method) => {
    const res = await app.inject({ method, url: '/inject-sidecar?timeout=10s' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.json()).toMatchObject({ statusCode: 405, code: 'KI_ERR_METHOD_NOT_ALLOWED' });
  });

  it('an unknown path is still 404', async () => {
    const res = await app.inject({ method: 'GET', url: '/inject-sidecars' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'KI_ERR_NOT_FOUND' });
  });
});
