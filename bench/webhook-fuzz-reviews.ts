// The AdmissionReviews the webhook fuzzer sends (bench/webhook-fuzz.ts):
// realistic pods from the property tests' generator, the same pods mutated
// (fields replaced by values of the wrong type, deep nesting, long strings,
// hostile Kuma annotations, prototype keys), broken envelopes, truncated or
// corrupted JSON text, and the fixed worst cases of issue 9. Deterministic for
// a seed, produced lazily so 100,000 of them never sit in memory at once.
import fc from 'fast-check';
import { podAdmissionReview } from '../webhook/demo/sample-review.ts';
import { podArbitrary } from '../test-support/webhook/pod-arbitrary.ts';

export const fuzzNamespace = 'fuzz';

/** The ContainerPatch names of the fuzz state (bench/webhook-fuzz.ts writes them). */
export const fuzzPatchNames = { good: 'sidecar-resources', polluting: 'polluter' };

export interface FuzzReview {
  /** What kind of input this is, for the report. */
  kind: string;
  /** The request body as sent. */
  body: string;
}

/** A small, fast, seeded PRNG (mulberry32): the mutations need no cryptographic randomness. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const int = (rng: Rng, max: number): number => Math.floor(rng() * max);

/** A marker replaced in the JSON text by `depth` nested arrays: building them as objects would overflow JSON.stringify. */
const deepMarker = (depth: number) => `__deep_${depth}__`;
const spliceDeep = (text: string): string => text.replace(/"__deep_(\d+)__"/g, (_m, depth: string) => '['.repeat(Number(depth)) + ']'.repeat(Number(depth)));

/** Values of every wrong type and size, for any field. */
function hostileValue(rng: Rng): unknown {
  switch (int(rng, 14)) {
    case 0: return null;
    case 1: return pick(rng, [0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.5]);
    case 2: return pick(rng, [true, false]);
    case 3: return '';
    case 4: return 'x'.repeat(pick(rng, [300, 5000, 70_000]));
    case 5: return [];
    case 6: return {};
    case 7: return [pick(rng, ['a', 1, null, {}])];
    case 8: return deepMarker(pick(rng, [50, 200, 20_000]));
    case 9: return { path: pick(rng, [1, [], {}, null]), port: pick(rng, ['http', 80, -1, 'x'.repeat(100), {}]) };
    case 10: return pick(rng, ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']);
    case 11: return Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]));
    case 12: return 'ünïcødé ✓ \u0000 \ud800';
    default: return pick(rng, ['80', '-1', '65536', '1e3', 'NaN', 'true', 'a;b;c', 'a=b;c', '/x']);
  }
}

/** Kuma's list annotations at hostile sizes (the API server accepts up to 256 KiB in all). */
function hostileAnnotation(rng: Rng): [string, string] {
  // Mostly around the list bound (1,024 items); the largest the API server would take, rarely (they cost a megabyte each).
  const sizes = rng() < 0.02 ? [40_000, 130_000] : [10, 100, 1000, 1100];
  const many = (piece: string) => Array.from({ length: pick(rng, sizes) }, (_, i) => piece.replace('#', String(i))).join(piece.includes('=') ? ';' : pick(rng, [';', ',']));
  switch (int(rng, 9)) {
    case 0: return ['traffic.kuma.io/exclude-outbound-ports-for-uids', many('a')];
    case 1: return ['traffic.kuma.io/exclude-outbound-ports-for-uids', many('#:80')];
    case 2: return ['kuma.io/sidecar-env-vars', many('V#=x')];
    case 3: return ['kuma.io/container-patches', many('p#')];
    case 4: return ['traffic.kuma.io/exclude-inbound-ports', many('#')];
    case 5: return ['traffic.kuma.io/exclude-outbound-ports', many('#')];
    case 6: return ['traffic.kuma.io/exclude-outbound-ips', many('10.0.0.#')];
    case 7: return ['kuma.io/container-patches', pick(rng, [fuzzPatchNames.polluting, `${fuzzPatchNames.good},${fuzzPatchNames.polluting}`, fuzzPatchNames.good])];
    default: return ['kuma.io/virtual-probes-port', String(hostileValue(rng))];
  }
}

/** Every path to an object or array inside `value`, up to a small depth. */
function containerPaths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null || prefix.length > 6) return out;
  out.push(prefix);
  for (const [key, child] of Object.entries(value)) containerPaths(child, [...prefix, Array.isArray(value) ? Number(key) : key], out);
  return out;
}

function at(root: unknown, path: (string | number)[]): Record<string | number, unknown> {
  let node = root as Record<string | number, unknown>;
  for (const key of path) node = node[key] as Record<string | number, unknown>;
  return node;
}

/** `value[key]` when `value` is an object, else undefined. */
const fieldOf = (value: unknown, key: string): unknown => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined);

/** One to three mutations of the review: a field replaced, deleted or added, or a hostile Kuma annotation. */
function mutate(rng: Rng, review: ReturnType<typeof podAdmissionReview>): void {
  for (let n = 1 + int(rng, 3); n > 0; n--) {
    const choice = int(rng, 10);
    // An earlier mutation may have replaced the object or its metadata.
    const metadata = fieldOf(fieldOf(fieldOf(review, 'request'), 'object'), 'metadata');
    if (choice < 3 && typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)) {
      const [key, value] = hostileAnnotation(rng);
      const annotations = (metadata as { annotations?: unknown }).annotations;
      (metadata as Record<string, unknown>).annotations = { ...(typeof annotations === 'object' ? annotations : {}), [key]: value };
      continue;
    }
    const paths = containerPaths(review);
    const target = at(review, pick(rng, paths));
    const keys = Object.keys(target);
    if (choice < 8 && keys.length > 0) target[pick(rng, keys)] = hostileValue(rng);
    else if (choice === 8 && keys.length > 0) delete target[pick(rng, keys)];
    else target[Array.isArray(target) ? target.length : pick(rng, ['path', 'httpHeaders', 'port', 'name', 'value', 'x'])] = hostileValue(rng);
  }
}

/** The fixed worst cases of issue 9, each a review body. */
export function issueCases(): FuzzReview[] {
  const base = () => podAdmissionReview(structuredCloneSample(), { namespace: fuzzNamespace });
  const withAnnotation = (key: string, value: string) => {
    const review = base();
    (review.request.object.metadata as Record<string, unknown>).annotations = { [key]: value };
    return JSON.stringify(review);
  };
  const withProbe = (probe: unknown) => {
    const review = base();
    (review.request.object.spec as { containers: Record<string, unknown>[] }).containers[0]!.livenessProbe = probe;
    return spliceDeep(JSON.stringify(review));
  };
  const deepIn = (change: (review: Record<string, unknown>) => void) => {
    const review = base() as unknown as Record<string, unknown>;
    change(review);
    return spliceDeep(JSON.stringify(review));
  };
  return [
    { kind: 'issue: 2.9 MB exclude-outbound-ports-for-uids', body: withAnnotation('traffic.kuma.io/exclude-outbound-ports-for-uids', 'a;'.repeat(1_450_000)) },
    { kind: 'issue: 256 KB exclude-outbound-ports-for-uids', body: withAnnotation('traffic.kuma.io/exclude-outbound-ports-for-uids', 'a;'.repeat(128 * 1024 - 40)) },
    { kind: 'issue: 256 KB sidecar-env-vars', body: withAnnotation('kuma.io/sidecar-env-vars', 'V=x;'.repeat(64 * 1024 - 10)) },
    { kind: 'issue: 256 KB container-patches', body: withAnnotation('kuma.io/container-patches', 'p,'.repeat(128 * 1024 - 20)) },
    { kind: 'issue: polluting ContainerPatch', body: withAnnotation('kuma.io/container-patches', fuzzPatchNames.polluting) },
    { kind: 'issue: httpGet.path of the wrong type', body: withProbe({ httpGet: { path: 12, port: 8080 } }) },
    { kind: 'issue: httpGet.path an object', body: withProbe({ httpGet: { path: { a: 1 }, port: 8080 } }) },
    { kind: 'issue: httpHeaders of the wrong type', body: withProbe({ httpGet: { path: '/', port: 8080, httpHeaders: 'x' } }) },
    { kind: 'issue: httpHeaders items of the wrong type', body: withProbe({ httpGet: { path: '/', port: 8080, httpHeaders: [1, null, { name: 2, value: {} }] } }) },
    { kind: 'issue: 20,000 levels in a probe', body: withProbe({ httpGet: { path: deepMarker(20_000), port: 8080 } }) },
    { kind: 'issue: 20,000 levels in apiVersion', body: deepIn((review) => (review.apiVersion = deepMarker(20_000))) },
    { kind: 'issue: 20,000 levels in namespace', body: deepIn((review) => ((review.request as Record<string, unknown>).namespace = deepMarker(20_000))) },
  ];
}

let sample: Record<string, unknown> | undefined;
function structuredCloneSample(): Record<string, unknown> {
  sample ??= fc.sample(podArbitrary({ namespace: fuzzNamespace, includeRefusals: false }), { numRuns: 1, seed: 1 })[0]!;
  return structuredClone(sample);
}

/** `count` reviews for `seed`: the issue's cases first, then generated, mutated, broken-envelope and broken-text ones. */
export function* fuzzReviews(seed: number, count: number): Generator<FuzzReview> {
  const rng = random(seed);
  let sent = 0;
  for (const review of issueCases()) {
    if (sent++ >= count) return;
    yield review;
  }
  const arbitrary = podArbitrary({ namespace: fuzzNamespace });
  for (let batch = 0; sent < count; batch++) {
    const pods = fc.sample(arbitrary, { numRuns: 500, seed: seed + batch });
    for (const pod of pods) {
      if (sent++ >= count) return;
      const review = podAdmissionReview(pod, { namespace: fuzzNamespace, uid: `fuzz-${seed}-${sent}` });
      const roll = rng();
      if (roll < 0.3) {
        yield { kind: 'generated pod', body: JSON.stringify(review) };
      } else if (roll < 0.8) {
        mutate(rng, review);
        yield { kind: 'mutated pod', body: spliceDeep(JSON.stringify(review)) };
      } else if (roll < 0.9) {
        const request = review.request as Record<string, unknown>;
        const target = rng() < 0.3 ? (review as Record<string, unknown>) : request;
        target[pick(rng, Object.keys(target))] = hostileValue(rng);
        yield { kind: 'broken envelope', body: spliceDeep(JSON.stringify(review)) };
      } else {
        const text = JSON.stringify(review);
        const cut = int(rng, text.length);
        const broken = rng() < 0.5 ? text.slice(0, cut) : `${text.slice(0, cut)}${pick(rng, ['"', '{', ']', '\\u005f_proto__', '\u0000', ',,'])}${text.slice(cut + 1)}`;
        yield { kind: 'broken JSON text', body: broken };
      }
    }
  }
}
