// The two measurements of bench/init-apply.ts, each run by a worker process
// already inside its fresh network namespace.
// - install: the steps of `kuma-init install transparent-proxy`, in the order
//   of init/cli/install-command.ts: load the config from argv, detect the
//   profile, render, pre-flight (`iptables-restore --test`), install; every
//   spawned process counted and timed.
// - bare: iptables-restore of given rules per family, nothing else.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { CliIo } from '../init/cli/io.ts';
import { runCli } from '../init/cli/program.ts';
import { loadInstallConfig } from '../init/config/load-install-config.ts';
import { install } from '../init/exec/install.ts';
import { countSpawns, spawnCommand } from '../init/exec/run.ts';
import { systemDeps } from '../init/profile/deps.ts';
import { detectProfile } from '../init/profile/detect.ts';
import { ensureLoadable } from '../init/profile/preflight.ts';
import { renderRules } from '../init/rules/render.ts';

export type Backend = 'nft' | 'legacy';

/** Restore input per family, as rendered by the install. */
export type FamilyInputs = Partial<Record<'ipv4' | 'ipv6', string>>;

export interface InstallSample {
  totalMs: number;
  detectMs: number;
  renderMs: number;
  /** The pre-flight `iptables-restore --test` of the rendered rules. */
  preflightMs: number;
  applyMs: number;
  /** Processes spawned by the whole install (detection + apply). */
  spawns: number;
  detectSpawns: number;
  /** Every process the install spawned, in order, with its wall time. */
  commands: Array<{ command: string; ms: number }>;
  rules: FamilyInputs;
}

export interface BareSample {
  totalMs: number;
}

export interface CliSample {
  totalMs: number;
  spawns: number;
}

/**
 * The kuma-dp user must exist in /etc/passwd for a non-CNI install; the bench
 * machine has no `kuma-dp`, so it uses `nobody` (the rules differ only in the UID).
 */
export function installArgs(backend: Backend): string[] {
  return ['--iptables-mode', backend, '--kuma-dp-user', 'nobody'];
}

export async function measureInstall(backend: Backend): Promise<InstallSample> {
  const commands: InstallSample['commands'] = [];
  const spawns = countSpawns(async (cmd, args, opts) => {
    const start = performance.now();
    const result = await spawnCommand(cmd, args, opts);
    commands.push({ command: [cmd.split('/').pop(), ...args].join(' '), ms: performance.now() - start });
    return result;
  });
  const deps = systemDeps({ run: spawns.run });
  const t0 = performance.now();
  const loaded = loadInstallConfig({
    argv: installArgs(backend),
    env: process.env,
    readFile: (p) => readFileSync(p, 'utf8'),
    readStdin: () => '',
    euid: process.geteuid?.() ?? 0,
    platform: process.platform,
  });
  if (loaded.kind !== 'config') throw new Error('unexpected --help');
  const { config } = loaded;
  const profile = await detectProfile(config, deps);
  const t1 = performance.now();
  const detectSpawns = spawns.count();
  const first = renderRules(config, profile);
  const t2 = performance.now();
  const checked = await ensureLoadable(config, profile, (p) => (p === profile ? first : renderRules(config, p)), undefined, deps);
  const t3 = performance.now();
  const rendered = checked.rendered;
  await install(config, checked.profile, rendered, undefined, deps);
  const t4 = performance.now();
  const rules: FamilyInputs = { ipv4: rendered.ipv4.restoreInput };
  if (rendered.ipv6) rules.ipv6 = rendered.ipv6.restoreInput;
  return {
    totalMs: t4 - t0,
    detectMs: t1 - t0,
    renderMs: t2 - t1,
    preflightMs: t3 - t2,
    applyMs: t4 - t3,
    spawns: spawns.count(),
    detectSpawns,
    commands,
    rules,
  };
}

export async function measureBareRestore(backend: Backend, rules: FamilyInputs): Promise<BareSample> {
  const t0 = performance.now();
  for (const [family, input] of Object.entries(rules)) {
    const cmd = `${family === 'ipv4' ? 'iptables' : 'ip6tables'}-${backend}-restore`;
    const r = await spawnCommand(cmd, [], { input });
    if (r.code !== 0) throw new Error(`${cmd} exited ${r.code}: ${r.stderr.trim()}`);
  }
  return { totalMs: performance.now() - t0 };
}

/** The CLI itself (runCli, as bin/kuma-init.js), to check that measureInstall follows it. */
export async function measureCli(backend: Backend): Promise<CliSample> {
  const spawns = countSpawns(spawnCommand);
  let output = '';
  const io: CliIo = {
    stdout: (t) => void (output += t),
    stderr: (t) => void (output += t),
    env: process.env,
    readFile: (p) => readFileSync(p, 'utf8'),
    readStdin: () => '',
    euid: process.geteuid?.() ?? 0,
    platform: process.platform,
    system: systemDeps({ run: spawns.run }),
  };
  const t0 = performance.now();
  const code = await runCli(['install', 'transparent-proxy', ...installArgs(backend)], io);
  const totalMs = performance.now() - t0;
  if (code !== 0) throw new Error(`kuma-init install exited ${code}: ${output.trim()}`);
  return { totalMs, spawns: spawns.count() };
}
