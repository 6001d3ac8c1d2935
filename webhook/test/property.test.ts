// Properties of the injection engine over generated, realistic pods (see
// test-support/webhook/pod-arbitrary.ts), in both placements: it never throws (it injects,
// skips or refuses), an injected pod is a schema-valid Pod, injecting it again
// changes nothing, the JSON patch turns the input into the returned pod, and
// `explain` never throws and gives the same verdict, and a context reused for
// many pods gives what a fresh one gives (nothing an outcome holds is shared
// with another pod: changing one outcome's pod changes no later outcome). The
// server, with the real engine behind it, answers every such admission with
// 200 and that verdict.
// The seed is fixed (override with PROPERTY_SEED); fast-check prints it, with
// the shrunk counterexample, on failure.
import fc from 'fast-check';
import jsonpatch from 'fast-json-patch';
import { Pod as PodModel } from 'kubernetes-models/v1/Pod';
import { describe, expect, it } from 'vitest';
import { explainPod } from '../cli/explain-decision.ts';
import { createInjectionContext, type InjectionContext, injectPod, type Pod } from '../engine/index.ts';
import { contextFromFlags } from '../../test-support/webhook/engine-fixtures.ts';
import { podAdmissionReview } from '../demo/sample-review.ts';
import { StaticClusterState } from '../state/static-state.ts';
import { decodeResponse, testServer } from '../../test-support/webhook/http-fixtures.ts';
import { podArbitrary } from '../../test-support/webhook/pod-arbitrary.ts';

const seed = Number(process.env.PROPERTY_SEED ?? 20251113);
const numRuns = Number(process.env.PROPERTY_RUNS ?? 1000);
const namespace = 'shop';

function context(nativeSidecars: boolean): InjectionContext {
  const base = contextFromFlags({ configDefaults: 'kuma', state: [], sidecarContainers: nativeSidecars ? 'on' : 'off' });
  const state = new StaticClusterState([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'kuma.io/sidecar-injection': 'enabled' } } },
    { apiVersion: 'kuma.io/v1alpha1', kind: 'Mesh', metadata: { name: 'default' } },
    { apiVersion: 'kuma.io/v1alpha1', kind: 'Mesh', metadata: { name: 'demo' } },
  ]);
  return createInjectionContext({ ...base, state });
}

/** Changes every object and list in `value` (throws on a frozen one): the caller's right to an outcome's pod. */
function scribble(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  for (const child of Object.values(value)) scribble(child);
  if (Array.isArray(value)) value.push('scribbled');
  else (value as Record<string, unknown>).scribbled = true;
}

function schemaErrors(pod: unknown): string | undefined {
  try {
    new PodModel(pod as ConstructorParameters<typeof PodModel>[0]).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe.each([
  ['classic placement', false],
  ['native sidecars', true],
] as const)('injection properties, %s', (_name, native) => {
  const ctx = context(native);

  it(`holds for ${numRuns} generated pods (seed ${seed})`, () => {
    const results = { injected: 0, skipped: 0, refused: 0 };
    fc.assert(
      fc.property(podArbitrary({ namespace }), (pod) => {
        const before = structuredClone(pod);
        const outcome = injectPod(pod, ctx);
        results[outcome.result]++;
        expect(pod, 'the input is not modified').toEqual(before);
        expect(outcome, 'the same as with nothing kept from earlier pods').toEqual(injectPod(pod, context(native)));
        const verdicts = { injected: 'inject', skipped: 'skip', refused: 'refuse' } as const;
        expect(explainPod(pod as Pod, ctx).verdict, '`explain` tells the same').toBe(verdicts[outcome.result]);
        if (outcome.result === 'refused') {
          expect(outcome.reason, `a refusal, not a crash: ${outcome.message}`).not.toBe('internal_error');
          expect(outcome.message.length).toBeGreaterThan(0);
          return;
        }
        if (outcome.result === 'skipped') return;

        expect(schemaErrors(outcome.pod), 'the injected pod is a valid Pod').toBeUndefined();
        const patched = jsonpatch.applyPatch(structuredClone(pod), structuredClone(outcome.patch), true, false).newDocument;
        expect(patched, 'the patch turns the input into the returned pod').toEqual(outcome.pod);
        const again = injectPod(outcome.pod, ctx);
        expect(again.result === 'skipped' && again.reason, 'injecting twice changes nothing').toBe('already_injected');
        scribble(outcome.pod);
        expect(injectPod(before, ctx), 'changing an outcome\'s pod changes no later outcome').toEqual(injectPod(before, context(native)));
      }),
      { seed, numRuns },
    );
    // Guard against a generator that only produces refusals: most pods must inject.
    expect(results.injected, JSON.stringify(results)).toBeGreaterThan(numRuns / 2);
    expect(results.refused, JSON.stringify(results)).toBeGreaterThan(0);
  });
});

describe('the webhook server with the real engine, over generated pods', () => {
  it(`answers every admission with 200 and the engine's verdict (seed ${seed})`, async () => {
    const ctx = context(false);
    const app = await testServer({ inject: (pod, ns) => injectPod(pod, ns !== undefined ? { ...ctx, namespace: ns } : ctx), state: ctx.state });
    try {
      await fc.assert(
        fc.asyncProperty(podArbitrary({ namespace }), async (pod) => {
          const reply = await app.inject({ method: 'POST', url: '/inject-sidecar', payload: podAdmissionReview(pod, { namespace }) });
          expect(reply.statusCode, reply.body).toBe(200);
          const { response, ops } = decodeResponse(reply.body);
          const outcome = injectPod(pod, ctx);
          expect(response.allowed).toBe(outcome.result !== 'refused');
          if (outcome.result === 'injected') expect(jsonpatch.applyPatch(structuredClone(pod), ops, true, false).newDocument).toEqual(outcome.pod);
          else expect(ops).toEqual([]);
        }),
        { seed, numRuns: Math.min(numRuns, 200) },
      );
    } finally {
      await app.close();
    }
  });
});
