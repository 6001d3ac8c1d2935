// `uninject` is the reverse of `inject`: uninject(inject(x)) equals x, as data
// (Kuma's golden matcher: an empty value equals an absent key), for every
// Kuma 2.13.10 conformance input that injects, and for generated pods; and the
// uninjected pod always injects back to the same pod.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { conformanceDir, missingConformance } from '../../test-support/environment.ts';
import { injectPod, type Pod } from '../engine/index.ts';
import { enabledNamespace, mesh, testContext } from '../../test-support/webhook/engine-fixtures.ts';
import { caseArgv, casePath, readCases, type CaseFile } from '../../test-support/webhook/conformance-cases.ts';
import { injectOffline } from '../../test-support/webhook/inject-offline.ts';
import { podArbitrary, type PodJson } from '../../test-support/webhook/pod-arbitrary.ts';
import { yamlDataDiff } from '../../test-support/webhook/yaml-data-diff.ts';
import { runUninject } from './uninject.ts';
import { uninjectPod } from './uninject-pod.ts';
import { injectOptionsOf } from '../../test-support/webhook/inject-options.ts';

const skip = missingConformance('injector');
const file: CaseFile | undefined = skip ? undefined : readCases(join(conformanceDir(), 'injector'));
const tempDir = mkdtempSync(join(tmpdir(), `kuma-uninject-${process.pid}-`));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

/** `uninject` with the case's own flags, on the injected YAML (stdin). */
async function uninjectText(argv: string[], injected: string): Promise<{ stdout: string; stderr: string }> {
  let stderr = '';
  const options = injectOptionsOf(['-f', '-', ...argv.slice(2)]);
  const stdout = await runUninject(options, {
    readStdin: () => Promise.resolve(injected),
    stdout: () => {},
    stderr: (text) => void (stderr += text),
  });
  return { stdout, stderr };
}

describe.skipIf(skip)('uninject(inject(x)) == x over Kuma 2.13.10 conformance inputs', () => {
  const injecting = (file?.cases ?? []).filter((c) => c.expect === 'inject');

  it('covers the injecting cases', () => {
    expect(injecting.length).toBeGreaterThan(60);
  });

  it.each(injecting.map((testCase) => [testCase.id, testCase] as const))('case %s', async (id, testCase) => {
    const caseFile = file!;
    const { argv, stdin } = caseArgv(caseFile, testCase, tempDir);
    const injected = await injectOffline(argv, stdin);
    expect(injected.exitCode, `case ${id}: ${injected.stderr}`).toBe(0);
    const input: unknown = testCase.input ? parse(readFileSync(casePath(caseFile, testCase.input), 'utf8'), { version: '1.1' }) : testCase.inputInline;
    const { stdout, stderr } = await uninjectText(argv, injected.stdout);
    expect(stderr, `case ${id}`).toBe('');
    const documents = parseAllDocuments(stdout, { version: '1.1' }).map((d) => d.toJS() as unknown);
    expect(documents).toHaveLength(1);
    expect(yamlDataDiff(documents[0], input).join('\n'), `case ${id} (${testCase.description})`).toBe('');
  });
});

/**
 * A generated pod in the spelling the injected pod keeps: what the injection
 * turns into one form cannot be told apart afterwards (docs/uninject.md), so
 * the expected result is the input written in that form. Everything else is
 * compared as generated.
 */
function respelled(pod: PodJson, injected: Pod): PodJson {
  const copy = structuredClone(pod);
  const annotations = copy.metadata.annotations ?? {};
  const written = injected.metadata?.annotations ?? {};
  // The injector overwrites its own marker, and rewrites the values of annotations it also writes.
  delete annotations['kuma.io/sidecar-injected'];
  delete annotations['kuma.io/transparent-proxying'];
  for (const key of Object.keys(annotations)) if (key.includes('kuma.io/') && written[key] !== undefined) annotations[key] = written[key];
  const keys = Object.keys(annotations);
  // A default-container annotation last among the pod's own is where the injector would add it.
  if (keys.at(-1) === 'kubectl.kubernetes.io/default-container' && copy.spec.containers.length === 1 && annotations[keys.at(-1)!] === copy.spec.containers[0]!.name) {
    delete annotations['kubectl.kubernetes.io/default-container'];
  }
  if (Object.keys(annotations).length === 0) delete copy.metadata.annotations;
  // The injector sets the mesh label last; one that was already there and last looks the same.
  const labelKeys = Object.keys(copy.metadata.labels ?? {});
  // (Unless a deprecated mesh annotation would then pick another mesh.)
  if (labelKeys.at(-1) === 'kuma.io/mesh' && [undefined, '', copy.metadata.labels!['kuma.io/mesh']].includes(annotations['kuma.io/mesh']) && copy.metadata.labels!['kuma.io/mesh'] === injected.metadata?.labels?.['kuma.io/mesh']) {
    delete copy.metadata.labels!['kuma.io/mesh'];
    if (labelKeys.length === 1) delete copy.metadata.labels;
  }
  for (const container of [...copy.spec.containers, ...(copy.spec.initContainers ?? [])]) {
    const byNumber = new Map<number, string[]>();
    for (const p of container.ports ?? []) if (p.name) byNumber.set(p.containerPort, [...(byNumber.get(p.containerPort) ?? []), p.name]);
    const byName = new Map((container.ports ?? []).filter((p) => p.name).map((p) => [p.name!, p.containerPort]));
    // A probe port comes back by name when exactly one named container port has its number.
    const spelled = (value: unknown): unknown => {
      const number = typeof value === 'string' ? (byName.get(value) ?? value) : value;
      const names = typeof number === 'number' ? byNumber.get(number) : undefined;
      return names?.length === 1 ? names[0] : number;
    };
    const after = [...(injected.spec?.containers ?? []), ...(injected.spec?.initContainers ?? [])].find((c) => c.name === container.name);
    for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
      // Only a rewritten probe loses its spelling.
      if (yamlDataDiff(after?.[kind], container[kind]).length === 0) continue;
      const probe = container[kind] as { httpGet?: Record<string, unknown>; tcpSocket?: { port: unknown }; grpc?: { service?: string } } | undefined;
      if (probe?.tcpSocket) probe.tcpSocket.port = spelled(probe.tcpSocket.port);
      // An empty gRPC service sends no header, so it comes back absent.
      if (probe?.grpc?.service === '') delete probe.grpc.service;
      const get = probe?.httpGet;
      if (!get) continue;
      // The path gets its leading slash; through the probe proxy (not a virtual probe),
      // the default scheme and the host field are not carried.
      get.port = spelled(get.port);
      get.path = typeof get.path === 'string' && get.path.startsWith('/') ? get.path : `/${(get.path as string | undefined) ?? ''}`;
      if (String(after?.[kind]?.httpGet?.port) === written['kuma.io/application-probe-proxy-port']) {
        if (get.scheme === 'HTTP') delete get.scheme;
        delete get.host;
      }
      if ((get.httpHeaders as unknown[] | undefined)?.length === 0) delete get.httpHeaders;
    }
  }
  return copy;
}

describe('uninject over generated pods (fast-check)', () => {
  const ctx = testContext({ objects: [enabledNamespace('demo'), mesh()] });

  it('gives a pod that injects back to the same pod, for every injected pod', () => {
    fc.assert(
      fc.property(podArbitrary({ namespace: 'demo' }), (pod) => {
        const injected = injectPod(pod, ctx);
        if (injected.result !== 'injected') return;
        const outcome = uninjectPod(injected.pod, ctx);
        expect(outcome).toMatchObject({ result: 'uninjected' });
        expect(outcome.result === 'uninjected' ? outcome.mismatch : 'unchanged').toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('gives back exactly the input, spelled as the injected pod keeps it', () => {
    fc.assert(
      fc.property(podArbitrary({ namespace: 'demo' }), (pod) => {
        const injected = injectPod(pod, ctx);
        if (injected.result !== 'injected') return;
        const outcome = uninjectPod(injected.pod, ctx);
        const expected = respelled(pod, injected.pod);
        expect(outcome.result === 'uninjected' ? yamlDataDiff(outcome.pod, expected).join('\n') : 'unchanged').toBe('');
      }),
      { numRuns: 300 },
    );
  });

  it('leaves a pod without kuma-sidecar as it is', () => {
    expect(uninjectPod({ metadata: { name: 'p' }, spec: { containers: [{ name: 'app' }] } }, ctx)).toMatchObject({ result: 'unchanged' });
  });
});
