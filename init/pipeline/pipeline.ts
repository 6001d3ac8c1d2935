// What `kuma-init install transparent-proxy` does after loading its config
// (docs/tproxy-apply.md §3), shared by the CLI and bench:init so the benchmark
// times exactly the CLI's steps: detect → render → install, in that order.
// One shortcut, taken in one visible branch below: detection assumes the
// standard modules and tables of the standard xtables multi-call binaries (one
// iptables-save per family, kept as the install's snapshot) and the install's
// restore proves the assumption. Only when that restore fails for a missing
// module or table (everything is rolled back first) does the pipeline probe as
// Kuma does, test the rules with `restore --test` (falling back to the other
// backend) and install again. A dry run, explicit or unknown executables
// take Kuma's probing path straight away.
import type { TransparentProxyConfig } from '../config/index.ts';
import type { SystemDeps } from '../system/index.ts';
import { detectProfile, type EnvironmentProfile } from '../profile/index.ts';
import { type RenderedRules, renderRules } from '../rules/index.ts';
import { type ApplyLog, AssumptionRejected, ensureLoadable, install, type InstallResult } from '../exec/index.ts';

export type Phase = 'detect' | 'render' | 'preflight' | 'apply';

/** Runs one phase: the CLI adds kumactl's error context, the benchmark a clock. */
export type PhaseRunner = <T>(phase: Phase, fn: () => T | Promise<T>) => Promise<T>;

export interface PipelineOutput {
  log: ApplyLog;
  /** A renderer warning line (already in Kuma's format). */
  renderWarning(line: string): void;
  phase?: PhaseRunner;
}

export interface PipelineResult {
  /** fast: the assumed modules held; slow: Kuma's probes and the pre-flight (from the start, or after a refused restore). */
  path: 'dry-run' | 'fast' | 'slow';
  rendered: RenderedRules;
  /** Undefined for a dry run. */
  installed?: InstallResult;
}

interface Detected {
  profile: EnvironmentProfile;
  rendered: RenderedRules;
}

const direct: PhaseRunner = async (_phase, fn) => fn();

/** Every family of the profile that will be installed skipped the probes. */
function allAssumed(profile: EnvironmentProfile): boolean {
  return profile.ipv4.assumed === true && (!profile.ipv6Usable || profile.ipv6.assumed === true);
}

export async function detectAndInstall(config: TransparentProxyConfig, deps: SystemDeps, out: PipelineOutput): Promise<PipelineResult> {
  const phase = out.phase ?? direct;
  // Kuma's probing after a rejected assumption detects and renders again: each warning is printed once.
  const printed = new Set<string>();
  const once = (text: string, print: () => void) => {
    if (printed.has(text)) return;
    printed.add(text);
    print();
  };
  const detectAndRender = async (assumeModules: boolean): Promise<Detected> => {
    const profile = await phase('detect', () => detectProfile(config, deps, { assumeModules }));
    const rendered = await phase('render', () => renderRules(config, profile));
    for (const w of profile.warnings) once(w.message, () => out.log.warn(w.message, w.family));
    for (const line of rendered.warnings) once(line, () => out.renderWarning(line));
    return { profile, rendered };
  };

  // A dry run prints what Kuma's probing detects: nothing is assumed.
  if (config.dryRun) return { path: 'dry-run', rendered: (await detectAndRender(false)).rendered };

  const assumed = await detectAndRender(true);
  if (allAssumed(assumed.profile)) {
    try {
      const installed = await phase('apply', () => install(config, assumed.profile, assumed.rendered, out.log, deps));
      return { path: 'fast', rendered: assumed.rendered, installed };
    } catch (error) {
      if (!(error instanceof AssumptionRejected)) throw error;
      out.log.warn(`${error.message}; probing the kernel's modules and tables as Kuma does and trying again`, error.family);
    }
  }
  // Kuma's probes, afresh when anything was assumed (after a rejection, or when only one family could
  // skip the probes); a profile that assumed nothing is already Kuma's.
  const probed = assumed.profile.ipv4.assumed || assumed.profile.ipv6.assumed ? await detectAndRender(false) : assumed;
  const checked = await phase('preflight', () =>
    ensureLoadable(config, probed.profile, (p) => (p === probed.profile ? probed.rendered : renderRules(config, p)), out.log, deps),
  );
  const installed = await phase('apply', () => install(config, checked.profile, checked.rendered, out.log, deps));
  return { path: 'slow', rendered: checked.rendered, installed };
}
