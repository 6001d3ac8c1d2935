// The kept legacy plan is computed from the picked annotations only: this
// checks that legacyAnnotations and podRedirect read no other key, by handing
// them a map that records every key asked for, over inputs that take their
// branches (eBPF, DNS, gateway, each key present or not).
import { describe, expect, it } from 'vitest';
import { contextFrom } from '../cli/inject.ts';
import { Keys } from './annotation-keys.ts';
import { podRedirect } from './kumactl-args.ts';
import { legacyAnnotations } from './legacy-annotations.ts';
import { LEGACY_INPUT_KEYS, legacyPlan } from './legacy-plan.ts';

/** `values` behind a proxy that notes each key read; reading all keys at once (ownKeys) is noted as '*'. */
function recording(values: Record<string, string>, read: Set<string>): Record<string, string> {
  return new Proxy(values, {
    get: (target, key) => (typeof key === 'string' && read.add(key), target[key as string]),
    has: (target, key) => (typeof key === 'string' && read.add(key), key in target),
    getOwnPropertyDescriptor: (target, key) => (typeof key === 'string' && read.add(key), Reflect.getOwnPropertyDescriptor(target, key)),
    ownKeys: (target) => (read.add('*'), Reflect.ownKeys(target)),
  });
}

const base = contextFrom({ filename: '', configDefaults: 'kuma', state: [] });
const contexts = [base, { ...base, config: { ...base.config, ebpf: { ...base.config.ebpf, enabled: true } } }];
const everything = Object.fromEntries([...LEGACY_INPUT_KEYS, ...Object.values(Keys)].map((key) => [key, '1']));
const inputs: Record<string, string>[] = [
  {},
  { [Keys.ebpf]: 'enabled', [Keys.builtinDNS]: 'enabled', [Keys.gateway]: 'enabled' },
  { [Keys.builtinDNS]: 'disabled', [Keys.excludeOutboundPortsForUIDs]: 'tcp:22:1000', [Keys.dropInvalidPackets]: 'true' },
  { ...everything, [Keys.ebpf]: 'enabled', [Keys.builtinDNS]: 'true', [Keys.gateway]: 'disabled' },
];

describe('legacy plan inputs', () => {
  it('legacyAnnotations and podRedirect read only LEGACY_INPUT_KEYS (and the eBPF env-var name)', () => {
    for (const ctx of contexts) {
      const allowed = new Set([...LEGACY_INPUT_KEYS, ctx.config.ebpf.instanceIPEnvVarName]);
      for (const values of inputs) {
        const read = new Set<string>();
        let written: Record<string, string> = {};
        try {
          written = legacyAnnotations(recording(values, read), ctx);
        } catch {
          // a refused value: what was read up to there still counts
        }
        try {
          podRedirect(recording({ ...values, ...written }, read));
        } catch {
          // as above
        }
        expect([...read].filter((key) => !allowed.has(key)), JSON.stringify(values)).toEqual([]);
      }
    }
  });

  it('is kept per picked entries: the same plan for pods that differ elsewhere, another for other values', () => {
    const first = legacyPlan({ app: 'a', [Keys.excludeInboundPorts]: '8080' }, base);
    expect(legacyPlan({ app: 'b', [Keys.excludeInboundPorts]: '8080' }, base)).toBe(first);
    expect(first.redirect.args).toContain('--exclude-inbound-ports=8080,9001');
    expect(legacyPlan({ [Keys.excludeInboundPorts]: '9090' }, base)).not.toBe(first);
  });
});
