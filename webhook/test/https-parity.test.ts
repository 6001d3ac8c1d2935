// The webhook over real HTTPS gives the same result as the offline injector,
// for every case of Kuma 2.13.10's cases.yaml: each case's pod is POSTed as an
// AdmissionReview to a real server (one per config and settings combination,
// switched to the case's cluster state), and
//  - injected: the response's JSON patch applied to the input equals the
//    output of `kuma-injector inject` on the same file; the patch applies with
//    fast-json-patch and with `kubectl patch --local --type=json` (a second,
//    independent RFC 6902 implementation: the API server's), with equal results;
//  - refused: allowed:false with the offline command's error message;
//  - skipped: allowed with no patch, and the offline output is the input.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import jsonpatch from 'fast-json-patch';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformanceDir, missingConformance, missingTools } from '../../test-support/environment.ts';
import { podAdmissionReview } from '../demo/sample-review.ts';
import { type InjectionContext, injectPod, type Pod } from '../engine/index.ts';
import { contextFromFlags } from '../../test-support/webhook/engine-fixtures.ts';
import type { ClusterState } from '../state/cluster-state.ts';
import { decodeResponse, testCertificates, testServer } from '../../test-support/webhook/http-fixtures.ts';
import { type CaseFile, caseArgv, casePath, type ConformanceCase, readCases } from '../../test-support/webhook/conformance-cases.ts';
import { httpsReviewClient, type HttpsReviewClient } from '../../test-support/webhook/https-review.ts';
import { injectOffline } from '../../test-support/webhook/inject-offline.ts';
import { injectOptionsOf } from '../../test-support/webhook/inject-options.ts';
import { yamlDataDiff } from '../../test-support/webhook/yaml-data-diff.ts';

const skip = missingConformance('injector');
const noKubectl = missingTools('kubectl');
const file: CaseFile | undefined = skip ? undefined : readCases(join(conformanceDir(), 'injector'));
const tempDir = mkdtempSync(join(tmpdir(), `kuma-https-parity-${process.pid}-`));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));
const exec = promisify(execFile);

/** The cluster state of whichever case is running: the server stays, the state changes under it. */
class CaseState implements ClusterState {
  current: ClusterState | undefined;
  private get state(): ClusterState {
    if (!this.current) throw new Error('no case state set');
    return this.current;
  }
  namespace(name: string) {
    return this.state.namespace(name);
  }
  mesh(name: string) {
    return this.state.mesh(name);
  }
  containerPatch(namespace: string, name: string) {
    return this.state.containerPatch(namespace, name);
  }
  configMap(namespace: string, name: string) {
    return this.state.configMap(namespace, name);
  }
  ready() {
    return true;
  }
}

/** kubectl's RFC 6902 implementation on the same input and patch. */
async function kubectlPatch(id: string, input: unknown, patch: unknown): Promise<unknown> {
  const podFile = join(tempDir, `${id}.pod.json`);
  const patchFile = join(tempDir, `${id}.patch.json`);
  writeFileSync(podFile, JSON.stringify(input));
  writeFileSync(patchFile, JSON.stringify(patch));
  const { stdout } = await exec('kubectl', ['patch', '--local', '-f', podFile, '--type=json', '--patch-file', patchFile, '-o', 'json']);
  return JSON.parse(stdout);
}

interface PreparedCase {
  testCase: ConformanceCase;
  argv: string[];
  stdin?: string;
  ctx: InjectionContext;
}

/** Cases grouped by config file and constructor settings: one server per group. */
function groups(caseFile: CaseFile): Map<string, PreparedCase[]> {
  const byKey = new Map<string, PreparedCase[]>();
  for (const testCase of caseFile.cases) {
    const { argv, stdin } = caseArgv(caseFile, testCase, tempDir);
    const ctx = contextFromFlags(injectOptionsOf(argv));
    const key = JSON.stringify({ config: testCase.config, settings: ctx.settings });
    byKey.set(key, [...(byKey.get(key) ?? []), { testCase, argv, ...(stdin !== undefined ? { stdin } : {}), ctx }]);
  }
  return byKey;
}

const prepared = file ? groups(file) : new Map<string, PreparedCase[]>();

describe.skipIf(skip)('webhook over HTTPS equals the offline injector (cases.yaml)', () => {
  it('covers all 94 cases in fewer servers than cases', () => {
    const all = [...prepared.values()].flat();
    expect(all).toHaveLength(94);
    expect(prepared.size).toBeLessThan(all.length);
  });

  const serverName = ({ testCase, ctx }: PreparedCase) =>
    `${testCase.config}, native sidecars ${ctx.settings.sidecarContainersEnabled ? 'on' : 'off'}, delta xDS ${ctx.settings.deltaXdsEnabled ? 'on' : 'off'}`;
  describe.each([...prepared.values()].map((cases) => [serverName(cases[0]!), cases] as const))(
    'server for %s',
    (_name, cases) => {
      const state = new CaseState();
      // The group's config and settings; each case brings its own cluster state.
      const groupCtx = { ...cases[0]!.ctx, state };
      let server: Awaited<ReturnType<typeof testServer>>;
      let client: HttpsReviewClient;

      beforeAll(async () => {
        server = await testServer({
          inject: (pod, namespace) => injectPod(pod, namespace !== undefined ? { ...groupCtx, namespace } : groupCtx),
          state,
        });
        await server.listen({ host: '127.0.0.1', port: 0 });
        const address = server.server.address();
        client = httpsReviewClient(typeof address === 'object' && address ? address.port : 0, (await testCertificates()).caCert);
      });
      afterAll(async () => {
        client?.close();
        await server?.close();
      });

      it.each(cases.map((c) => [c.testCase.id, c] as const))('case %s', async (id, { testCase, argv, stdin, ctx }) => {
        const caseFile = file!;
        const where = `case ${id} (${testCase.description})`;
        state.current = ctx.state;
        const input = (testCase.input ? parse(readFileSync(casePath(caseFile, testCase.input), 'utf8'), { version: '1.1' }) : testCase.inputInline) as Pod;
        const namespace = input.metadata?.namespace ?? 'default';
        const review = podAdmissionReview(input, { namespace, uid: `parity-${id}` });
        // The object stays exactly the case's input, so it is compared with the offline command on that same input.
        review.request.object = input;

        const [http, offline] = await Promise.all([client.post(review), injectOffline(argv, stdin)]);
        expect(http.statusCode, `${where}: ${http.body}`).toBe(200);
        const { response, ops } = decodeResponse(http.body);
        expect(response.uid).toBe(`parity-${id}`);

        if (testCase.expect === 'error') {
          expect(offline.exitCode, where).not.toBe(0);
          expect(response.allowed, where).toBe(false);
          const message = response.status?.message ?? '';
          expect(message.length, where).toBeGreaterThan(0);
          expect(offline.stderr.trimEnd().endsWith(`: ${message}`), `${where}: the same message offline (${offline.stderr}) and over HTTPS (${message})`).toBe(true);
          if (testCase.errorText) expect(message, where).toContain(testCase.errorText);
          return;
        }

        expect(offline.exitCode, `${where}: ${offline.stderr}`).toBe(0);
        // stderr carries only Kuma's warnings for the pod, if any.
        expect(offline.stderr.split('\n').filter((line) => line && !line.startsWith('Warning: ')), where).toEqual([]);
        const [expected] = parseAllDocuments(offline.stdout, { version: '1.1' }).map((d) => d.toJS() as unknown);
        expect(response.allowed, where).toBe(true);
        if (testCase.expect === 'skip') {
          expect(response.patch, `${where}: a skipped pod gets no patch`).toBeUndefined();
          expect(yamlDataDiff(expected, input), `${where}: offline output is the input`).toEqual([]);
          return;
        }

        expect(response.patchType, where).toBe('JSONPatch');
        // fast-json-patch inserts the operations' values by reference: give it copies, kubectl gets the originals.
        const patched = jsonpatch.applyPatch(structuredClone(input), structuredClone(ops), true, false).newDocument;
        expect(yamlDataDiff(patched, expected), `${where}: patched input vs offline output`).toEqual([]);
        expect(patched, `${where}: exactly equal, not only as YAML data`).toEqual(expected);
        if (!noKubectl) {
          const byKubectl = await kubectlPatch(id, input, ops);
          expect(byKubectl, `${where}: kubectl and fast-json-patch agree`).toEqual(patched);
        }
      });
    },
  );
});
