// Pre-flight capability test (our addition, peers.md §4.1; the slow path of
// docs/tproxy-apply.md §3): the chosen backend
// must actually load the rendered rules. Each family's restore input goes
// through `iptables-restore --test` (with the lock flags of the backend). When
// that fails and the backend was auto-detected, the other backend is probed,
// the rules are rendered for it and tested again. When nothing loads, the
// error names the backends tried, the kernel and the missing match or target.
import type { TransparentProxyConfig } from '../config/index.ts';
import { ApplyError, systemDeps, type SystemDeps } from '../system/index.ts';
import type { RestoreInputs } from './install.ts';
import { silentLog, type ApplyLog } from './log.ts';
import { failureReason, missingFeature, runRestore } from './restore.ts';
import { emptyFamily, type EnvironmentProfile, type IpFamily, type IptablesMode, probeBackend, VersionCache } from '../profile/index.ts';

interface Attempt {
  mode: IptablesMode;
  family: IpFamily;
  stderr: string;
}

/** Runs `restore --test` for each rendered family; returns the first failure (IPv4 before IPv6). */
async function firstFailure(
  config: TransparentProxyConfig,
  profile: EnvironmentProfile,
  rendered: RestoreInputs,
  deps: SystemDeps,
  log: ApplyLog,
): Promise<Attempt | undefined> {
  const inputs: Array<[IpFamily, string | undefined]> = [
    ['ipv4', rendered.ipv4.restoreInput],
    ['ipv6', rendered.ipv6?.restoreInput],
  ];
  // The families are independent: tested side by side, reported in family order.
  const results = await Promise.all(
    inputs.map(async ([family, input]) => {
      const exe = profile[family].executables;
      if (input === undefined || !exe) return undefined;
      const r = await runRestore(deps, config, { exe, input, mode: 'test', family }, log);
      return r.code === 0 ? undefined : { mode: exe.mode, family, stderr: r.stderr };
    }),
  );
  return results.find((r) => r !== undefined);
}

/** The profile switched to the other backend for both families; undefined when IPv4 cannot use it. */
async function otherBackend(profile: EnvironmentProfile, mode: IptablesMode, deps: SystemDeps): Promise<EnvironmentProfile | undefined> {
  const versions = new VersionCache(deps);
  const ipv4 = await probeBackend(deps, versions, 'ipv4', mode, false);
  if (!ipv4.ok) return undefined;
  const ipv6 = profile.ipv6Usable ? await probeBackend(deps, versions, 'ipv6', mode, false) : undefined;
  return {
    ...profile,
    ipv4: ipv4.family,
    ipv6: ipv6?.ok ? ipv6.family : emptyFamily(),
    ipv6Usable: ipv6?.ok === true,
  };
}

function describeAttempt(a: Attempt): string {
  const missing = missingFeature(a.stderr);
  return `${a.mode} (${a.family === 'ipv4' ? 'iptables' : 'ip6tables'}): ${missing ? `missing ${missing}` : failureReason(a.stderr)}`;
}

/**
 * Makes sure the rendered rules load; returns the profile and rendering to install
 * (the other backend's when the detected one cannot load them).
 */
export async function ensureLoadable<R extends RestoreInputs>(
  config: TransparentProxyConfig,
  profile: EnvironmentProfile,
  render: (profile: EnvironmentProfile) => R,
  log: ApplyLog = silentLog,
  deps: SystemDeps = systemDeps(),
): Promise<{ profile: EnvironmentProfile; rendered: R }> {
  const rendered = render(profile);
  const mode = profile.ipv4.executables?.mode;
  if (!mode) return { profile, rendered };
  const failed = await firstFailure(config, profile, rendered, deps, log);
  if (!failed) return { profile, rendered };

  const attempts = [failed];
  const canFallBack = config.iptablesMode === 'auto' && !profile.ipv4.executables?.fromConfig;
  if (canFallBack) {
    const other: IptablesMode = mode === 'nft' ? 'legacy' : 'nft';
    const switched = await otherBackend(profile, other, deps);
    if (switched) {
      const again = render(switched);
      const failedAgain = await firstFailure(config, switched, again, deps, log);
      if (!failedAgain) {
        log.warn(`iptables-${mode} cannot load the rules (${describeAttempt(failed)}); falling back to iptables-${other}`, 'ipv4');
        return { profile: switched, rendered: again };
      }
      attempts.push(failedAgain);
    }
  }
  const kernel = await deps.kernelRelease();
  const missing = attempts.map((a) => missingFeature(a.stderr)).find(Boolean);
  const advice = missing
    ? `make the kernel module for the ${missing} available on the node (e.g. modprobe xt_<name>) or turn off the option that needs it`
    : canFallBack
      ? 'check the rules with --dry-run'
      : 'try --iptables-mode auto';
  throw new ApplyError(
    'BACKEND_CANNOT_LOAD_RULES',
    `no iptables backend can load the transparent proxy rules on kernel ${kernel}: tried ${attempts.map(describeAttempt).join('; ')}. Next step: ${advice}`,
  );
}
