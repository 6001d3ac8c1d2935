// Hostile pods and cluster objects (issue 9): list annotations beyond the
// bound, ContainerPatch pointers aimed at a prototype, probe fields of the
// wrong type. Each is a refusal with a message, never a throw.
import { afterEach, describe, expect, it } from 'vitest';
import { appPod, enabledNamespace, mesh, testContext } from '../../test-support/webhook/engine-fixtures.ts';
import { maxAnnotationListItems } from '../limits/index.ts';
import type { KubeObject } from '../state/index.ts';
import { injectPod, type Pod } from './index.ts';

const refusal = (pod: Pod, objects?: KubeObject[]) => {
  const outcome = injectPod(pod, testContext(objects ? { objects } : {}));
  return outcome.result === 'refused' ? { reason: outcome.reason, message: outcome.message } : { result: outcome.result };
};

describe('list annotations are bounded (defect 1)', () => {
  const lists: [key: string, item: string, separator: string][] = [
    ['traffic.kuma.io/exclude-outbound-ports-for-uids', '1000:80', ';'],
    ['traffic.kuma.io/exclude-outbound-ports-for-uids', 'a', ';'],
    ['kuma.io/sidecar-env-vars', 'V=x', ';'],
    ['kuma.io/container-patches', 'p', ','],
    ['traffic.kuma.io/exclude-outbound-ips', '10.0.0.1', ','],
  ];

  it.each(lists)('%s with one item over the bound is refused, naming the bound', (key, item, separator) => {
    const value = Array.from({ length: maxAnnotationListItems + 1 }, () => item).join(separator);
    expect(refusal(appPod({ annotations: { [key]: value } }))).toEqual({
      reason: 'annotation_list_too_long',
      message: expect.stringContaining(`has more than ${maxAnnotationListItems} items`) as string,
    });
  });

  it('a list at the bound is still injected', () => {
    const value = Array.from({ length: maxAnnotationListItems }, (_, i) => `${1000 + i}:80`).join(';');
    const outcome = injectPod(appPod({ annotations: { 'traffic.kuma.io/exclude-outbound-ports-for-uids': value } }), testContext());
    expect(outcome.result).toBe('injected');
  });
});

describe('ContainerPatch pointers cannot reach a prototype (defect 3)', () => {
  const patch = (name: string, path: string, extra: Record<string, string> = {}): KubeObject => ({
    apiVersion: 'kuma.io/v1alpha1',
    kind: 'ContainerPatch',
    metadata: { name, namespace: 'kuma-system' },
    spec: { sidecarPatch: [{ op: 'add', path, value: '"yes"', ...extra }] },
  });
  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['/__proto__/polluted', '__proto__'],
    ['/securityContext/__proto__/polluted', '__proto__'],
    ['/constructor/prototype/polluted', 'constructor'],
    ['/env/prototype', 'prototype'],
    ['/~0~1__proto__/x/constructor', 'constructor'],
  ])('%s is refused when the patch is loaded, and nothing is polluted', (path, token) => {
    const objects = [enabledNamespace(), mesh(), patch('polluter', path)];
    const pod = appPod({ annotations: { 'kuma.io/container-patches': 'polluter' } });
    expect(refusal(pod, objects)).toEqual({ reason: 'container_patch_invalid', message: expect.stringContaining(`names "${token}"`) as string });
    // The next pod, without the patch, is injected as usual.
    expect(injectPod(appPod(), testContext({ objects })).result).toBe('injected');
  });

  it('a move or copy whose from names a prototype is refused too', () => {
    const objects = [enabledNamespace(), mesh(), patch('mover', '/env/-', { op: 'copy', from: '/__proto__' })];
    expect(refusal(appPod({ annotations: { 'kuma.io/container-patches': 'mover' } }), objects)).toMatchObject({ reason: 'container_patch_invalid' });
  });

  it('an inherited member (toString) is not part of the container: patches go through own properties only', () => {
    const objects = [enabledNamespace(), mesh(), patch('odd', '/toString/x')];
    const outcome = injectPod(appPod({ annotations: { 'kuma.io/container-patches': 'odd' } }), testContext({ objects }));
    expect(outcome.result).toBe('injected');
    expect(typeof Object.prototype.toString).toBe('function');
  });
});

describe('probe fields of the wrong type are refused, not thrown (defect 5)', () => {
  const withProbe = (probe: unknown): Pod =>
    appPod({ spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }], livenessProbe: probe as never }] } });

  it.each([
    [{ httpGet: { path: 12, port: 8080 } }, 'livenessProbe.httpGet.path must be a string'],
    [{ httpGet: { path: { a: 1 }, port: 8080 } }, 'livenessProbe.httpGet.path must be a string'],
    [{ httpGet: { path: '/', port: 8080, httpHeaders: 'x' } }, 'livenessProbe.httpGet.httpHeaders must be a list'],
    [{ httpGet: { path: '/', port: 8080, httpHeaders: [1] } }, 'livenessProbe.httpGet.httpHeaders[0] must be an object'],
    [{ httpGet: { path: '/', port: 8080, httpHeaders: [{ name: 2, value: 'v' }] } }, 'livenessProbe.httpGet.httpHeaders[0].name must be a string'],
    [{ httpGet: { path: '/', port: { a: 1 } } }, 'livenessProbe.httpGet.port must be a port number or name'],
    [{ httpGet: 'x' }, 'livenessProbe.httpGet must be an object'],
    [{ tcpSocket: { port: [] } }, 'livenessProbe.tcpSocket.port must be a port number or name'],
    [{ grpc: { port: '80' } }, 'livenessProbe.grpc.port must be a whole number'],
  ])('%j → invalid_pod', (probe, problem) => {
    expect(refusal(withProbe(probe))).toEqual({ reason: 'invalid_pod', message: `invalid pod: spec.containers[0].${problem}` });
  });

  it('a container port of the wrong type is refused', () => {
    const pod = appPod({ spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 'x' as never }] }] } });
    expect(refusal(pod)).toEqual({ reason: 'invalid_pod', message: 'invalid pod: spec.containers[0].ports[0].containerPort must be a whole number' });
  });
});
