// The two measurements of bench/init-apply.ts, each run by a worker process
// already inside its fresh network namespace.
// - install: what `kuma-init install transparent-proxy` does: load the config
//   from argv, then init/pipeline/pipeline.ts (the CLI's own code: fast path, or
//   the slow path with probes and pre-flight); phases timed through its phase
//   hook, every spawned process counted and timed.
// - bare: iptables-restore of given rules per family, nothing else.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { type CliIo, runCli } from '../init/cli/index.ts';
import { loadInstallConfig } from '../init/config/index.ts';
import { silentLog } from '../init/exec/index.ts';
import { detectAndInstall, type Phase, type PhaseRunner, type PipelineResult } from '../init/pipeline/index.ts';
import { countSpawns, spawnCommand, systemDeps } from '../init/system/index.ts';

/** A concrete iptables backend. */
export type Backend = 'nft' | 'legacy';
/** What `--iptables-mode` is given: a backend, or `auto` (the default), where the install probes as Kuma does. */
export type Mode = Backend | 'auto';

/** Restore input per family, as rendered by the install. */
export type FamilyInputs = Partial<Record<'ipv4' | 'ipv6', string>>;

export interface InstallSample {
  totalMs: number;
  detectMs: number;
  renderMs: number;
  /** The pre-flight `iptables-restore --test` of the rendered rules (slow path only). */
  preflightMs: number;
  applyMs: number;
  /** Fast path (modules assumed, the restore proves them) or slow path (Kuma's probes + pre-flight). */
  path: PipelineResult['path'];
  /** Processes spawned by the whole install (detection + apply). */
  spawns: number;
  detectSpawns: number;
  /** Every process the install spawned, in order, with its wall time. */
  commands: Array<{ command: string; ms: number }>;
  rules: FamilyInputs;
  /** The backend whose restore installed the rules (what `auto` chose). */
  restoredWith: Backend;
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
export function installArgs(mode: Mode): string[] {
  return ['--iptables-mode', mode, '--kuma-dp-user', 'nobody'];
}

export async function measureInstall(mode: Mode): Promise<InstallSample> {
  const commands: InstallSample['commands'] = [];
  const spawns = countSpawns(async (cmd, args, opts) => {
    const start = performance.now();
    const result = await spawnCommand(cmd, args, opts);
    commands.push({ command: [cmd.split('/').pop(), ...args].join(' '), ms: performance.now() - start });
    return result;
  });
  const deps = systemDeps({ run: spawns.run });
  // Wall time and processes per phase, summed when a phase runs twice (slow path after a rejected fast path).
  const phaseMs: Record<Phase, number> = { detect: 0, render: 0, preflight: 0, apply: 0 };
  let detectSpawns = 0;
  const phase: PhaseRunner = async (name, fn) => {
    const [start, before] = [performance.now(), spawns.count()];
    try {
      return await fn();
    } finally {
      phaseMs[name] += performance.now() - start;
      if (name === 'detect') detectSpawns += spawns.count() - before;
    }
  };
  const t0 = performance.now();
  const loaded = loadInstallConfig({
    argv: installArgs(mode),
    env: process.env,
    readFile: (p) => readFileSync(p, 'utf8'),
    readStdin: () => '',
    euid: process.geteuid?.() ?? 0,
    platform: process.platform,
  });
  if (loaded.kind !== 'config') throw new Error('unexpected --help');
  const t1 = performance.now();
  const result = await detectAndInstall(loaded.config, deps, { log: silentLog, renderWarning: () => undefined, phase });
  const t2 = performance.now();
  const restore = commands.find((c) => /^iptables-(nft|legacy)-restore /.test(c.command));
  const restoredWith: Backend = restore?.command.startsWith('iptables-legacy') ? 'legacy' : 'nft';
  const rules: FamilyInputs = { ipv4: result.rendered.ipv4.restoreInput };
  if (result.rendered.ipv6) rules.ipv6 = result.rendered.ipv6.restoreInput;
  return {
    totalMs: t2 - t0,
    // Config loading counts as detection, as before the pipeline existed.
    detectMs: phaseMs.detect + (t1 - t0),
    renderMs: phaseMs.render,
    preflightMs: phaseMs.preflight,
    applyMs: phaseMs.apply,
    path: result.path,
    spawns: spawns.count(),
    detectSpawns,
    commands,
    rules,
    restoredWith,
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
export async function measureCli(mode: Mode): Promise<CliSample> {
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
  const code = await runCli(['install', 'transparent-proxy', ...installArgs(mode)], io);
  const totalMs = performance.now() - t0;
  if (code !== 0) throw new Error(`kuma-init install exited ${code}: ${output.trim()}`);
  return { totalMs, spawns: spawns.count() };
}
