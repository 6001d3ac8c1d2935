// `explain` evaluates the webhook's selectors before the injector's decision:
// a pod the API server never sends to the webhook is created without a
// sidecar, whatever the injector would say. Selectors come from a
// MutatingWebhookConfiguration in the --state files, else the chart's defaults.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explainCommand } from './explain.ts';
import type { ExplainedDocument } from './explain-text.ts';
import { editDistance, typoHints } from './label-typos.ts';
import { unmetRequirement } from './webhook-selectors.ts';

const dir = mkdtempSync(join(tmpdir(), 'kuma-explain-selectors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function explain(argv: string[], stdin: string): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = { readStdin: () => Promise.resolve(stdin), stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t) };
  await explainCommand(io).exitOverride().parseAsync(['-f', '-', ...argv], { from: 'user' });
  return { stdout, stderr };
}

const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const state = write(
  'state.yaml',
  `apiVersion: v1
kind: Namespace
metadata: {name: plain}
---
apiVersion: v1
kind: Namespace
metadata: {name: typo, labels: {kuma.io/sidecar-injection: enbaled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {kuma.io/sidecar-injection: enabled}}
---
apiVersion: kuma.io/v1alpha1
kind: Mesh
metadata: {name: default}
`,
);

const pod = (namespace: string, labels = '{}') => `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: ${namespace}, labels: ${labels}}
spec: {containers: [{name: web, image: nginx}]}
`;

describe("explain with the chart's default selectors", () => {
  it('a pod labelled enabled in an unlabelled namespace never reaches the webhook (the injector alone would inject it)', async () => {
    const { stdout } = await explain(['--state', state], pod('plain', '{kuma.io/sidecar-injection: enabled}'));
    expect(stdout).toContain('Pod plain/web: NEVER REACHES THE WEBHOOK: created without a sidecar');
    expect(stdout).toContain('pods-kuma-injector.kuma.io: namespaceSelector needs kuma.io/sidecar-injection Exists, has no label kuma.io/sidecar-injection');
    expect(stdout).toContain('if it were called: WOULD BE INJECTED');
    const [json] = JSON.parse((await explain(['--state', state, '-o', 'json'], pod('plain', '{kuma.io/sidecar-injection: enabled}'))).stdout) as ExplainedDocument[];
    expect(json).toMatchObject({ verdict: 'unreached', injectorVerdict: 'inject', webhook: { reached: false } });
  });

  it('a namespace labelled enbaled: never reaches the webhook, with a hint (the injector alone would refuse it)', async () => {
    const { stdout } = await explain(['--state', state], pod('typo'));
    expect(stdout).toContain('Pod typo/web: NEVER REACHES THE WEBHOOK');
    expect(stdout).toContain('namespace-kuma-injector.kuma.io: namespaceSelector needs kuma.io/sidecar-injection In [enabled, true, yes], has kuma.io/sidecar-injection="enbaled"');
    expect(stdout).toContain('hint: namespace typo has kuma.io/sidecar-injection=enbaled: did you mean enabled?');
    expect(stdout).toContain('if it were called: would be REFUSED');
  });

  it('a pod in an enabled namespace reaches the namespace webhook and is injected', async () => {
    const { stdout } = await explain(['--state', state], pod('shop'));
    expect(stdout).toContain('Pod shop/web: WOULD BE INJECTED into mesh default');
    expect(stdout).toContain('webhook: called (namespace-kuma-injector.kuma.io)');
  });
});

describe('explain with the MutatingWebhookConfiguration of the --state files', () => {
  const rendered = write(
    'webhook.yaml',
    `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: kuma-injector-mesh-system}
webhooks:
  - name: opt-in.example.com
    clientConfig: {service: {name: kuma-injector, namespace: mesh-system, path: /inject-sidecar}}
    rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
    namespaceSelector: {matchLabels: {mesh.example.com/tier: meshed}}
  - name: not-pods.example.com
    clientConfig: {service: {name: other, namespace: x, path: /inject-sidecar}}
    rules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]
`,
  );

  it('uses its selectors instead of the defaults', async () => {
    const enabled = await explain(['--state', state, '--state', rendered], pod('shop'));
    expect(enabled.stdout).toContain('NEVER REACHES THE WEBHOOK');
    expect(enabled.stdout).toContain('selectors from MutatingWebhookConfiguration kuma-injector-mesh-system in the --state files');
    expect(enabled.stdout).toContain('opt-in.example.com: namespaceSelector needs mesh.example.com/tier=meshed, has no label mesh.example.com/tier');
    expect(enabled.stdout).not.toContain('not-pods.example.com');
  });
});

describe('selector and typo pieces', () => {
  it('evaluates In, NotIn, Exists and DoesNotExist as the API server does', () => {
    const labels = { a: 'x' };
    expect(unmetRequirement({ matchExpressions: [{ key: 'a', operator: 'In', values: ['x'] }] }, labels)).toBeUndefined();
    expect(unmetRequirement({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['x'] }] }, labels)).toContain('NotIn');
    expect(unmetRequirement({ matchExpressions: [{ key: 'b', operator: 'NotIn', values: ['x'] }] }, labels)).toBeUndefined();
    expect(unmetRequirement({ matchExpressions: [{ key: 'b', operator: 'Exists' }] }, labels)).toContain('no label b');
    expect(unmetRequirement({ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, labels)).toContain('DoesNotExist');
    expect(unmetRequirement(undefined, labels)).toBeUndefined();
    expect(unmetRequirement({ matchLabels: { toString: 'x' } }, {})).toContain('no label toString');
  });

  it('names likely typos of the label and its values, and nothing for correct ones', () => {
    expect(editDistance('enbaled', 'enabled')).toBe(1);
    expect(typoHints('namespace a', { 'kuma.io/sidecar-injetion': 'enabled' })).toEqual([
      'namespace a has label kuma.io/sidecar-injetion=enabled: did you mean kuma.io/sidecar-injection?',
    ]);
    expect(typoHints('the pod', { 'kuma.io/sidecar-injection': 'Enabled' })).toEqual(['the pod has kuma.io/sidecar-injection=Enabled: did you mean enabled?']);
    expect(typoHints('the pod', { 'kuma.io/sidecar-injection': 'on' })[0]).toContain('not a value the injector reads');
    expect(typoHints('the pod', { 'kuma.io/sidecar-injection': 'enabled', app: 'web' })).toEqual([]);
  });
});

describe('explain --kubeconfig (STAND-IN API server)', () => {
  it("reads the namespaces and the cluster's MutatingWebhookConfigurations instead of --state", async () => {
    const { StandInApiServer } = await import('../../test-support/webhook/stand-in-api-server.ts');
    const standIn = await StandInApiServer.start();
    try {
      standIn.put({ kind: 'Namespace', metadata: { name: 'shop', labels: { 'kuma.io/sidecar-injection': 'enabled' } } });
      standIn.put({ kind: 'Mesh', metadata: { name: 'default' } });
      standIn.put({
        kind: 'MutatingWebhookConfiguration',
        metadata: { name: 'kuma-injector-kuma-system' },
        webhooks: [
          {
            name: 'pods-only.kuma.io',
            clientConfig: { service: { name: 'kuma-injector', namespace: 'kuma-system', path: '/inject-sidecar' } },
            rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
            objectSelector: { matchLabels: { 'kuma.io/sidecar-injection': 'enabled' } },
          },
        ],
      });
      const kubeconfig = write('kubeconfig', standIn.kubeconfigYaml());
      const unlabelled = await explain(['--kubeconfig', kubeconfig], pod('shop'));
      expect(unlabelled.stdout).toContain('Pod shop/web: NEVER REACHES THE WEBHOOK');
      expect(unlabelled.stdout).toContain("selectors from the cluster's MutatingWebhookConfigurations (kuma-injector-kuma-system)");
      expect(unlabelled.stdout).toContain('pods-only.kuma.io: objectSelector needs kuma.io/sidecar-injection=enabled, has no label kuma.io/sidecar-injection');
      const labelled = await explain(['--kubeconfig', kubeconfig], pod('shop', '{kuma.io/sidecar-injection: enabled}'));
      expect(labelled.stdout).toContain('Pod shop/web: WOULD BE INJECTED into mesh default');
      expect(standIn.requests.every((r) => r.method === 'GET' && r.verb === 'list')).toBe(true);
    } finally {
      await standIn.close();
    }
  });
});
