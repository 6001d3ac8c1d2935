// Which pods the race repair acts on, and how (pure). A pod whose validator
// init container ended with a non-zero exit code started before kuma-cni was
// in the chain: it runs without the transparent proxy's rules and will not
// get them. Deleting it lets its owner create a new one, which (the chain being
// ready) gets the rules; a pod nobody would recreate is labelled instead.
import type { V1Pod } from '@kubernetes/client-node';
import type { RepairConfig } from './config.ts';

export type RepairDecision = { action: 'none'; reason: string } | { action: 'delete' | 'label'; reason: string };

/** The validator's failed run, current or last, when its latest run failed. */
function failedValidation(pod: V1Pod, container: string): { exitCode: number } | undefined {
  const status = pod.status?.initContainerStatuses?.find((s) => s.name === container);
  if (!status || status.state?.running) return undefined;
  const terminated = status.state?.terminated ?? status.lastState?.terminated;
  return terminated && terminated.exitCode !== 0 ? { exitCode: terminated.exitCode } : undefined;
}

export function repairDecision(pod: V1Pod, config: Pick<RepairConfig, 'mode' | 'validatorContainer' | 'label'>): RepairDecision {
  if (config.mode === 'off') return { action: 'none', reason: 'repair is off' };
  if (pod.metadata?.deletionTimestamp) return { action: 'none', reason: 'being deleted' };
  const failed = failedValidation(pod, config.validatorContainer);
  if (!failed) return { action: 'none', reason: `${config.validatorContainer} has not failed` };
  const reason = `${config.validatorContainer} exited with ${failed.exitCode}`;
  const labelled = pod.metadata?.labels?.[config.label.key] === config.label.value;
  if (config.mode === 'delete' && pod.metadata?.ownerReferences?.some((o) => o.controller)) return { action: 'delete', reason };
  if (labelled) return { action: 'none', reason: 'already labelled' };
  return { action: 'label', reason: config.mode === 'delete' ? `${reason}; no controller would recreate it` : reason };
}
