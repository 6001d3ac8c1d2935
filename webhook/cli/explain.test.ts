// `kuma-injector explain` on real inputs: every case of Kuma 2.13.10's
// cases.yaml (its verdict and deciding step agree with Kuma's expectation, and
// what it says would be added is what `inject` adds), and a multi-document
// workload file through the command, as text and as JSON.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { conformanceDir, missingConformance } from '../../test-support/environment.ts';
import { injectPod, type Pod } from '../engine/index.ts';
import { contextFromFlags } from '../../test-support/webhook/engine-fixtures.ts';
import { caseArgv, casePath, type CaseFile, readCases } from '../../test-support/webhook/conformance-cases.ts';
import { explainPod, type PodDecision } from './explain-decision.ts';
import { explainCommand } from './explain.ts';
import { injectOptionsOf } from '../../test-support/webhook/inject-options.ts';
import type { ExplainedDocument } from './explain-text.ts';

const tempDir = mkdtempSync(join(tmpdir(), `kuma-explain-${process.pid}-`));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

/** Runs `explain` in-process; resolves to its exit code and output. */
async function explain(argv: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = { readStdin: () => Promise.resolve(''), stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t) };
  const command = explainCommand(io).exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  try {
    await command.parseAsync(argv, { from: 'user' });
    return { exitCode: 0, stdout, stderr };
  } catch (error) {
    return { exitCode: (error as { exitCode?: number }).exitCode ?? -1, stdout, stderr };
  }
}

const skip = missingConformance('injector');
const file: CaseFile | undefined = skip ? undefined : readCases(join(conformanceDir(), 'injector'));

describe.skipIf(skip)('explain on Kuma 2.13.10 cases.yaml', () => {
  const expected = { inject: 'inject', skip: 'skip', error: 'refuse' } as const;

  it.each((file?.cases ?? []).map((c) => [c.id, c] as const))('case %s', (id, testCase) => {
    const caseFile = file!;
    const where = `case ${id} (${testCase.description})`;
    const ctx = contextFromFlags(injectOptionsOf(caseArgv(caseFile, testCase, tempDir).argv));
    const input = (testCase.input ? parse(readFileSync(casePath(caseFile, testCase.input), 'utf8'), { version: '1.1' }) : testCase.inputInline) as Pod;
    const decision: PodDecision = explainPod(input, ctx);

    expect(decision.verdict, where).toBe(expected[testCase.expect]);
    const decisive = decision.steps.filter((s) => s.decides);
    expect(decisive.length, `${where}: exactly the last step decides a skip or refusal`).toBe(decision.verdict === 'inject' ? 0 : 1);
    if (decision.verdict !== 'inject') {
      expect(decision.steps.at(-1)!.decides, where).toBe(decision.verdict);
      if (testCase.errorText) expect(decision.message, where).toContain(testCase.errorText);
      return;
    }

    const outcome = injectPod(input, ctx);
    if (outcome.result !== 'injected') throw new Error(`${where}: engine did not inject`);
    const added = decision.added!;
    expect(added.patchOperations, where).toBe(outcome.patch.length);
    expect(decision.mesh, `${where}: the mesh explain names is the one written`).toBe(outcome.pod.metadata && (outcome.pod.metadata as Pod['metadata'])!.labels!['kuma.io/mesh']);
    const sidecar = added.containers.find((c) => c.name === 'kuma-sidecar');
    expect(sidecar?.position, where).toEqual(ctx.settings.sidecarContainersEnabled ? expect.stringMatching(/^initContainers\[\d\]$/) : 'containers[0]');
    expect(sidecar?.nativeSidecar, where).toBe(ctx.settings.sidecarContainersEnabled);
    expect(decision.modes.placement, where).toBe(ctx.settings.sidecarContainersEnabled ? 'native' : 'classic');
    expect(added.volumes, where).toEqual(expect.arrayContaining(['kuma-init-tmp', 'kuma-sidecar-tmp']));
    expect(added.annotations['kuma.io/sidecar-injected'], where).toBe('true');
    const initName = ctx.config.cniEnabled ? 'kuma-validation' : 'kuma-init';
    expect(decision.modes.cni, where).toBe(ctx.config.cniEnabled);
    const hasInit = added.containers.some((c) => c.name === initName);
    // In CNI mode a gateway (no inbound redirect) gets no init container at all.
    if (!ctx.config.cniEnabled) expect(hasInit, `${where}: ${initName} added`).toBe(true);
  });

  it('names each probe rewrite with the original and the new handler (golden 03)', () => {
    const caseFile = file!;
    const testCase = caseFile.cases.find((c) => c.id === '03')!;
    const ctx = contextFromFlags(injectOptionsOf(caseArgv(caseFile, testCase, tempDir).argv));
    const input = parse(readFileSync(casePath(caseFile, testCase.input!), 'utf8'), { version: '1.1' }) as Pod;
    const rewrites = explainPod(input, ctx).added!.probeRewrites;
    expect(rewrites.length).toBeGreaterThan(0);
    for (const rewrite of rewrites) expect(rewrite.before).not.toBe(rewrite.after);
    expect(rewrites.map((r) => r.after).join('\n')).toMatch(/httpGet :\d+\/grpc\/5678/);
  });
});

describe('kuma-injector explain (command)', () => {
  const stateFile = join(tempDir, 'state.yaml');
  writeFileSync(
    stateFile,
    [
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {kuma.io/sidecar-injection: enabled}, annotations: {kuma.io/mesh: payments}}',
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: tools}',
      'apiVersion: kuma.io/v1alpha1\nkind: Mesh\nmetadata: {name: payments}',
    ].join('\n---\n'),
  );
  const inputFile = join(tempDir, 'workloads.yaml');
  writeFileSync(
    inputFile,
    `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      containers:
      - name: api
        image: ghcr.io/acme/api:2
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /ready, port: http}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: shop}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: report, image: busybox, securityContext: {runAsUser: 5678}}]
---
apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: tools}
spec:
  containers: [{name: shell, image: busybox}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
`,
  );
  const flags = ['-f', inputFile, '--state', stateFile];

  it('explains each pod template in text: verdict, deciding step, mesh source and additions', async () => {
    const { exitCode, stdout, stderr } = await explain(flags);
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    const [api, report, debug, ...rest] = stdout.trim().split('\n\n');
    expect(rest).toEqual([]);
    expect(api).toContain('document 1: Deployment shop/api (pod template at spec.template): WOULD BE INJECTED into mesh payments');
    expect(api).toContain('mesh payments from namespace annotation kuma.io/mesh (deprecated); Mesh payments exists');
    expect(api).toMatch(/container kuma-sidecar \(kuma\/kuma-dp:[^)]+\) at containers\[0\]/);
    expect(api).toMatch(/probe api\.readinessProbe: httpGet :http\/ready {2}-> {2}httpGet :9001\/8080\/ready/);
    expect(api).toMatch(/JSON patch: \d+ operations/);
    expect(report).toContain('CronJob shop/report (pod template at spec.jobTemplate.spec.template): would be REFUSED');
    expect(report).toContain('containers using same UID as sidecar is unsupported: ["report"]');
    expect(report).toMatch(/\[refuse\] sidecar-uid/);
    // Namespace tools has no injection label: no webhook is called (the chart's selectors), and the injector would skip it too.
    expect(debug).toContain('Pod tools/debug: NEVER REACHES THE WEBHOOK: created without a sidecar');
    expect(debug).toContain('if it were called: would NOT be injected (skipped)');
    expect(debug).toMatch(/\[skip\] +injection-label +neither the pod nor namespace tools has the kuma.io\/sidecar-injection label/);
  });

  it('gives the same answers as JSON with -o json', async () => {
    const { exitCode, stdout } = await explain([...flags, '-o', 'json']);
    expect(exitCode).toBe(0);
    const documents = JSON.parse(stdout) as ExplainedDocument[];
    expect(documents.map((d) => [d.document, d.kind, d.verdict])).toEqual([
      [1, 'Deployment', 'inject'],
      [2, 'CronJob', 'refuse'],
      [3, 'Pod', 'unreached'],
    ]);
    expect(documents[2]!.injectorVerdict).toBe('skip');
    expect(documents[0]!.added!.labels).toEqual({ 'kuma.io/mesh': 'payments' });
    expect(documents[1]!.reason).toBe('duplicate_uid');
  });

  it('shares inject’s flags: native sidecars move kuma-sidecar into initContainers', async () => {
    const { stdout } = await explain([...flags, '-o', 'json', '--sidecar-containers', 'on']);
    const sidecar = (JSON.parse(stdout) as ExplainedDocument[])[0]!.added!.containers.find((c) => c.name === 'kuma-sidecar');
    expect(sidecar).toMatchObject({ position: 'initContainers[1]', nativeSidecar: true });
  });

  it('reports the config-annotation path, CNI mode and Kuma warnings', async () => {
    const configFile = join(tempDir, 'config-path.yaml');
    writeFileSync(configFile, 'runtime:\n  kubernetes:\n    injector:\n      transparentProxyConfigMap: kuma-transparent-proxy-config\n      cniEnabled: true\n');
    const configMapState = join(tempDir, 'configmap.yaml');
    writeFileSync(
      configMapState,
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kuma-transparent-proxy-config, namespace: kuma-system}\ndata:\n  config.yaml: |\n    redirect:\n      dns:\n        enabled: true\n',
    );
    const podFile = join(tempDir, 'deprecated.yaml');
    writeFileSync(podFile, 'apiVersion: v1\nkind: Pod\nmetadata: {name: old, namespace: shop, annotations: {kuma.io/virtual-probes: enabled}}\nspec:\n  containers: [{name: app, image: busybox}]\n');
    const { exitCode, stdout, stderr } = await explain(['-f', podFile, '--state', stateFile, '--state', configMapState, '--config', configFile, '-o', 'json']);
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    const [pod] = JSON.parse(stdout) as ExplainedDocument[];
    expect(pod!.verdict).toBe('inject');
    expect(pod!.modes).toMatchObject({ transparentProxy: 'config-annotation', transparentProxyConfigMap: 'kuma-transparent-proxy-config', cni: true });
    expect(Object.keys(pod!.added!.annotations)).toContain('traffic.kuma.io/transparent-proxy-config');
    expect(pod!.added!.containers.map((c) => c.name)).toEqual(expect.arrayContaining(['kuma-validation', 'kuma-sidecar']));
    expect(pod!.warnings?.join('\n')).toContain('kuma.io/virtual-probes');
  });

  it('marks a missing namespace and a refusal while building the sidecar', async () => {
    const podFile = join(tempDir, 'refused.yaml');
    writeFileSync(
      podFile,
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop, annotations: {kuma.io/sidecar-env-vars: "broken;"}}\nspec:\n  containers: [{name: a, image: busybox}]\n---\n' +
        'apiVersion: v1\nkind: Pod\nmetadata: {name: q, namespace: nowhere}\nspec:\n  containers: [{name: a, image: busybox}]\n',
    );
    const { exitCode, stdout } = await explain(['-f', podFile, '--state', stateFile]);
    expect(exitCode).toBe(0);
    const [badAnnotation, noNamespace] = stdout.trim().split('\n\n');
    expect(badAnnotation).toContain('Map in "kuma.io/sidecar-env-vars" has to be provided');
    expect(badAnnotation).toMatch(/\[ok\] +sidecar-uid[^\n]*\n +\[refuse\] mutation/);
    expect(noNamespace).toContain('could not retrieve namespace for pod: namespaces "nowhere" not found');
    expect(noNamespace).toMatch(/decision:\n +\[refuse\] namespace +namespace nowhere \(from the pod\) is not in the cluster state$/);
  });

  it('fails with exit code 1 on unreadable input', async () => {
    const { exitCode, stderr } = await explain(['-f', join(tempDir, 'missing.yaml')]);
    expect(exitCode).toBe(1);
    expect(stderr).toContain('cannot read');
  });

  it('fails with exit code 1 and the stable code when a state file holds a kind the injector does not read', async () => {
    const podAsState = join(tempDir, 'pod-as-state.yaml');
    writeFileSync(podAsState, 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n');
    const { exitCode, stdout, stderr } = await explain([...flags, '--state', podAsState]);
    expect(exitCode).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^Error: state file .*pod-as-state\.yaml, document 1: kind Pod is not cluster state .*\(STATE_KIND_UNSUPPORTED\)\n$/);
  });
});
