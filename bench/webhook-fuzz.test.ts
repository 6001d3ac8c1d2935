// A slice of `npm run fuzz:webhook` in every test run: 2,000 reviews (the
// issue's cases first) against the production bundle as a child process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goodReview, startFuzzWebhook, type FuzzWebhook } from './webhook-fuzz.ts';
import { runFuzz } from './webhook-fuzz-run.ts';
import { fuzzReviews, issueCases } from './webhook-fuzz-reviews.ts';

describe('the webhook under 2,000 generated and hostile reviews (production bundle)', () => {
  let webhook: FuzzWebhook;
  beforeAll(async () => {
    webhook = await startFuzzWebhook();
  }, 60_000);
  afterAll(() => webhook?.close());

  const alive = () => webhook.server.child.exitCode === null && webhook.server.child.signalCode === null;

  it('answers every one with a review or a catalogued 4xx: no 5xx, no crash, every allowed patch applies', { timeout: 240_000 }, async () => {
    const target = { port: webhook.server.port, ca: webhook.ca };
    const report = await runFuzz(target, fuzzReviews(Number(process.env.FUZZ_SEED ?? 9), 2_000), { concurrency: 8, alive });
    expect(report.findings).toEqual([]);
    expect(report.total).toBe(2_000);
    expect(report.serverErrors + report.transportErrors + report.badAnswers).toBe(0);
    expect(alive()).toBe(true);
    // The mix exercises every path: injections, denials and 400s.
    expect(report.patchesApplied).toBeGreaterThan(200);
    expect(report.denied).toBeGreaterThan(20);
    expect(report.byStatus['400']).toBeGreaterThan(20);
    expect(report.byKind[issueCases()[0]!.kind]).toEqual({ '200': 1 });

    const after = await runFuzz(target, [goodReview('after')], { concurrency: 1, alive });
    expect(after.patchesApplied).toBe(1);
  });
});
