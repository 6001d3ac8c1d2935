// Kuma 2.13's load-time checks of the injector config (Injector.Validate),
// with its wording. Returns every problem, not just the first.
import { parseQuantity } from '../quantity/index.ts';
import type { InjectorConfig, ProbeSettings } from './injector-config.ts';

function probeProblems(probe: ProbeSettings, withSuccess: boolean): string[] {
  const fields: (keyof ProbeSettings)[] = ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds'];
  if (withSuccess) fields.push('successThreshold');
  fields.push('failureThreshold');
  return fields
    .filter((field) => probe[field] < 1)
    .map((field) => `.${field[0]!.toUpperCase()}${field.slice(1)} must be >= 1`);
}

function quantityProblem(name: string, value: string): string[] {
  try {
    parseQuantity(value);
    return [];
  } catch (error) {
    return [`${name} is not valid: ${(error as Error).message}`];
  }
}

const nest = (prefix: string, problems: string[]): string[] => problems.map((problem) => `${prefix} is not valid: ${problem}`);

export function validateInjectorConfig(config: InjectorConfig): string[] {
  const sidecar = config.sidecarContainer;
  const sidecarProblems: string[] = [];
  if (sidecar.image === '') sidecarProblems.push('.Image must be non-empty');
  if (sidecar.ipFamilyMode !== '' && sidecar.ipFamilyMode !== 'ipv4' && sidecar.ipFamilyMode !== 'dualstack') {
    sidecarProblems.push(".IpFamilyMode must be either 'ipv4' or 'dualstack'");
  }
  for (const [field, value] of [
    ['RedirectPortInbound', sidecar.redirectPortInbound],
    ['RedirectPortOutbound', sidecar.redirectPortOutbound],
    ['AdminPort', sidecar.adminPort],
  ] as const) {
    if (value > 65535) sidecarProblems.push(`.${field} must be in the range [0, 65535]`);
  }
  if (sidecar.drainTime <= 0) sidecarProblems.push('.DrainTime must be positive');
  sidecarProblems.push(...nest('.ReadinessProbe', probeProblems(sidecar.readinessProbe, true)));
  sidecarProblems.push(...nest('.LivenessProbe', probeProblems(sidecar.livenessProbe, false)));
  sidecarProblems.push(
    ...nest('.Resources', [
      ...nest('.Requests', [
        ...quantityProblem('.CPU', sidecar.resources.requests.cpu),
        ...quantityProblem('.Memory', sidecar.resources.requests.memory),
      ]),
      ...nest('.Limits', [
        ...quantityProblem('.CPU', sidecar.resources.limits.cpu),
        ...quantityProblem('.Memory', sidecar.resources.limits.memory),
      ]),
    ]),
  );
  const problems = nest('.SidecarContainer', sidecarProblems);
  if (config.initContainer.image === '') problems.push('.InitContainer is not valid: .Image must be non-empty');
  for (const [field, value] of [
    ['.VirtualProbesPort', config.virtualProbesPort],
    ['.ApplicationProbeProxyPort', config.applicationProbeProxyPort],
    ['.BuiltinDNS.Port', config.builtinDNS.port],
  ] as const) {
    if (value > 65535) problems.push(`${field} must be in the range [0, 65535]`);
  }
  return problems;
}
