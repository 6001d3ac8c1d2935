// What `kuma-init install transparent-proxy` does after loading its config
// (docs/tproxy-apply.md §3), shared by the CLI and bench:init so the benchmark
// times exactly the CLI's steps.
// - fast path: detection assumes the standard modules and tables of the
//   standard xtables multi-call binaries (one iptables-save per family, kept as
//   the install's snapshot), renders and installs; the real restore proves the
//   assumption (a transaction per table, rolled back on failure).
// - slow path: when the fast path is not possible (dry run, explicit or
//   unknown executables) or its restore fails for a missing module or table,
//   Kuma's full probing, a re-render, the `restore --test` pre-flight with
//   fallback to the other backend, and the install.
import type { TransparentProxyConfig } from '../config/config.ts';
import type { SystemDeps } from '../profile/deps.ts';
import { detectProfile } from '../profile/detect.ts';
import { ensureLoadable } from '../profile/preflight.ts';
import type { EnvironmentProfile, FamilyProfile } from '../profile/profile.ts';
import { renderRules, type RenderedRules } from '../rules/render.ts';
import { AssumptionRejected, install, type InstallResult } from './install.ts';
import type { ApplyLog } from './log.ts';

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

/** Equal in everything the renderer reads (init/rules/plan.ts): then it renders the same rules. */
function sameRenderInputs(a: EnvironmentProfile, b: EnvironmentProfile): boolean {
  const family = (f: FamilyProfile) => JSON.stringify([f.executables !== undefined, f.modules, f.tables, f.dockerOutput]);
  return (
    JSON.stringify([a.loopbackName, a.users, a.nameservers, a.ipv6Usable]) === JSON.stringify([b.loopbackName, b.users, b.nameservers, b.ipv6Usable]) &&
    family(a.ipv4) === family(b.ipv4) &&
    family(a.ipv6) === family(b.ipv6)
  );
}

/** Every family of the profile that will be installed skipped the probes. */
function allAssumed(profile: EnvironmentProfile): boolean {
  return profile.ipv4.assumed === true && (!profile.ipv6Usable || profile.ipv6.assumed === true);
}

/** Output held back until released, so lines keep today's order while the fast path does not wait for `ip`. */
function heldOutput(out: PipelineOutput) {
  const held: Array<() => void> = [];
  let holding = true;
  const hold = (print: () => void) => (holding ? held.push(print) : print());
  const log: ApplyLog = {
    info: (message, family) => hold(() => out.log.info(message, family)),
    warn: (message, family) => hold(() => out.log.warn(message, family)),
  };
  const release = () => {
    holding = false;
    for (const print of held.splice(0)) print();
  };
  return { log, release };
}

export async function detectAndInstall(config: TransparentProxyConfig, deps: SystemDeps, out: PipelineOutput): Promise<PipelineResult> {
  const phase = out.phase ?? direct;
  // The slow path after a rejected fast path detects and renders again: each warning is printed once.
  const printed = new Set<string>();
  const once = (text: string, print: () => void) => {
    if (printed.has(text)) return;
    printed.add(text);
    print();
  };
  const report = (profile: EnvironmentProfile, rendered: RenderedRules) => {
    for (const w of profile.warnings) once(w.message, () => out.log.warn(w.message, w.family));
    for (const line of rendered.warnings) once(line, () => out.renderWarning(line));
  };
  const detect = async (fast: boolean) => {
    // Fast path: the rules are rendered for the likely profile while detection's processes run, and
    // kept when the real profile gives the renderer the same inputs (the usual case).
    let early: { likely: EnvironmentProfile; rendered: RenderedRules } | undefined;
    const whileProbing = (likely: EnvironmentProfile) => {
      try {
        early = { likely, rendered: renderRules(config, likely) };
      } catch {
        // the real render below reports it
      }
    };
    // The real profile while `ip -6 addr add ::6/128 dev lo` still runs after the fast detection.
    let settling: Promise<EnvironmentProfile> | undefined;
    const settleIPv6Later = fast ? (settled: Promise<EnvironmentProfile>) => {
          settling = settled;
        } : undefined;
    const profile = await phase('detect', () => detectProfile(config, deps, { fast, whileProbing, settleIPv6Later }));
    const reuse = early && sameRenderInputs(early.likely, profile) ? early.rendered : undefined;
    const rendered = await phase('render', () => reuse ?? renderRules(config, profile));
    // Printed once the profile is the real one (see settle below).
    if (!settling) report(profile, rendered);
    return { profile, rendered, settling };
  };

  // A dry run prints what Kuma's probing detects: nothing is assumed.
  if (config.dryRun) return { path: 'dry-run', rendered: (await detect(false)).rendered };

  const first = await detect(true);
  // The rendered rules assume `::6` gets onto lo; when it does not, Kuma's gate drops IPv6 and the rules
  // are those of the real profile (IPv4's do not depend on IPv6). Warnings and log lines wait for this,
  // so they come in the order of a detection that waited for `ip`.
  const held = heldOutput(out);
  let settled: Promise<Detected> | undefined;
  const settle = () =>
    (settled ??= (async () => {
      const profile = first.settling ? await first.settling : first.profile;
      const real = profile === first.profile ? first : { profile, rendered: renderRules(config, profile) };
      report(real.profile, real.rendered);
      held.release();
      return real;
    })());
  let fast: Detected = first.settling && allAssumed(first.profile) ? first : await settle();
  if (allAssumed(fast.profile)) {
    // IPv4 is installed while `ip` runs; the IPv6 family only once the address is on lo.
    const ipv6Stays = async () => (await settle()).profile === first.profile;
    try {
      const installed = await phase('apply', () =>
        install(config, first.profile, first.rendered, held.log, deps, { beforeIPv6: first.settling ? ipv6Stays : undefined }),
      );
      return { path: 'fast', rendered: (await settle()).rendered, installed };
    } catch (error) {
      fast = await settle();
      if (!(error instanceof AssumptionRejected)) throw error;
      out.log.warn(`${error.message}; probing the kernel's modules and tables as Kuma does and trying again`, error.family);
    }
  }
  // Probed afresh when anything was assumed (after a rejection, or when only one family could skip the
  // probes); a profile that assumed nothing is already Kuma's.
  const slow = fast.profile.ipv4.assumed || fast.profile.ipv6.assumed ? await detect(false) : fast;
  const checked = await phase('preflight', () =>
    ensureLoadable(config, slow.profile, (p) => (p === slow.profile ? slow.rendered : renderRules(config, p)), out.log, deps),
  );
  const installed = await phase('apply', () => install(config, checked.profile, checked.rendered, out.log, deps));
  return { path: 'slow', rendered: checked.rendered, installed };
}
