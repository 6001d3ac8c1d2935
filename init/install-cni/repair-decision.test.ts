// Which pods the race repair touches: only those whose validator's latest run
// failed, never one being deleted; owned pods are deleted, others labelled.
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { RepairConfig } from './config.ts';
import { repairDecision } from './repair-decision.ts';

const config: Pick<RepairConfig, 'mode' | 'validatorContainer' | 'label'> = {
  mode: 'delete',
  validatorContainer: 'kuma-validation',
  label: { key: 'cni.kuma.io/validation-failed', value: 'true' },
};

type ContainerStatus = NonNullable<NonNullable<V1Pod['status']>['initContainerStatuses']>[number];

function pod(validator: Partial<ContainerStatus> | undefined, metadata: V1Pod['metadata'] = {}): V1Pod {
  const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u', controller: true };
  return {
    metadata: { name: 'web-1-x', namespace: 'shop', ownerReferences: [owner], ...metadata },
    status: validator ? { initContainerStatuses: [{ name: 'kuma-validation', image: 'i', imageID: '', ready: false, restartCount: 1, ...validator }] } : {},
  };
}

const failed = { state: { terminated: { exitCode: 1 } } };
const crashLooping = { state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1 } } };

describe('repairDecision', () => {
  it('deletes an owned pod whose validator failed, now or in its last run', () => {
    expect(repairDecision(pod(failed), config)).toEqual({ action: 'delete', reason: 'kuma-validation exited with 1' });
    expect(repairDecision(pod(crashLooping), config).action).toBe('delete');
  });

  it('leaves pods whose validator passed, runs again, or is absent', () => {
    expect(repairDecision(pod({ state: { terminated: { exitCode: 0 } } }), config).action).toBe('none');
    expect(repairDecision(pod({ state: { running: {} }, lastState: { terminated: { exitCode: 1 } } }), config).action).toBe('none');
    expect(repairDecision(pod(undefined), config).action).toBe('none');
  });

  it('leaves pods being deleted, and everything when off', () => {
    expect(repairDecision(pod(failed, { deletionTimestamp: new Date() }), config).action).toBe('none');
    expect(repairDecision(pod(failed), { ...config, mode: 'off' }).action).toBe('none');
  });

  it('labels instead when nobody would recreate the pod, and labels once', () => {
    const bare = pod(failed, { name: 'bare', namespace: 'shop', ownerReferences: [] });
    expect(repairDecision(bare, config)).toEqual({ action: 'label', reason: 'kuma-validation exited with 1; no controller would recreate it' });
    expect(repairDecision(pod(failed), { ...config, mode: 'label' }).action).toBe('label');
    const labelled = pod(failed, { labels: { 'cni.kuma.io/validation-failed': 'true' } });
    expect(repairDecision(labelled, { ...config, mode: 'label' })).toEqual({ action: 'none', reason: 'already labelled' });
  });
});
