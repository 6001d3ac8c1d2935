// `npm run bench:init`: what a full kuma-init install costs (profile detection
// + render + apply, as the CLI does it) against a bare iptables-restore of the
// same rendered rules, both families, in fresh network namespaces, measured in
// the same run. Each measurement runs in a worker process started inside its
// own fresh namespace (`ip netns exec`), so both sides spawn their iptables
// processes natively and are timed in-process, without the worker's start-up.
// Writes the "kuma-init" section of docs/benchmarks.md.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { replaceSection } from './markdown-section.ts';
import {
  installArgs,
  measureBareNft,
  measureBareRestore,
  measureCli,
  measureInstall,
  type Backend,
  type BareSample,
  type CliSample,
  type FamilyInputs,
  type InstallSample,
  type Mode,
} from './init-apply-worker.ts';

// Both backends forced, the default (`auto`, what an injected kuma-init runs), which also probes the other backend,
// and our native nftables table (`--nftables`, against a bare `nft -f` of the same script).
const MODES: readonly Mode[] = ['nft', 'legacy', 'auto', 'nftables'];
const ITERATIONS = Math.min(Math.max(Number(process.env.BENCH_INIT_ITERATIONS ?? 7), 1), 25);
const COMMAND = 'npm run bench:init';
const self = fileURLToPath(import.meta.url);
/** Install time at most this many bare restores (a process budget: kuma-init runs once per pod start). */
const TARGET = 3.5;
const docs = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));

function sh(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

let nsCounter = 0;
const live = new Set<string>();

/** A pod-like namespace: lo up, plus an interface (a veth pair kept inside) with an IPv6 address so dual-stack applies. */
function freshNamespace(): string {
  const name = `kb-init-${process.pid}-${++nsCounter}`;
  sh('ip', ['netns', 'add', name]);
  live.add(name);
  const inNs = (...args: string[]) => sh('ip', ['netns', 'exec', name, 'ip', ...args]);
  inNs('link', 'set', 'lo', 'up');
  inNs('link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1');
  inNs('addr', 'add', '10.0.0.2/24', 'dev', 'eth0');
  inNs('-6', 'addr', 'add', 'fd00::2/64', 'dev', 'eth0', 'nodad');
  // Both ends up: interfaces without carrier are invisible to Node's interface list.
  inNs('link', 'set', 'eth1', 'up');
  inNs('link', 'set', 'eth0', 'up');
  return name;
}

function dropNamespace(name: string): void {
  spawnSync('ip', ['netns', 'del', name]);
  live.delete(name);
}

type WorkerRequest =
  | { kind: 'install' | 'cli'; mode: Mode }
  | { kind: 'bare'; backend: Backend; rules: FamilyInputs }
  | { kind: 'bare-nft'; script: string };

/** Runs this file as a worker inside `ns`; the worker prints one JSON line. */
function inWorker<T>(ns: string, request: WorkerRequest): T {
  const out = sh('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', self, '--worker'], JSON.stringify(request));
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (x: number) => x.toFixed(1);

interface BackendResult {
  backend: Mode;
  install: number;
  detect: number;
  render: number;
  preflight: number;
  apply: number;
  bare: number;
  ratio: number;
  spawns: number;
  detectSpawns: number;
  families: string;
  /** Paths the installs took (normally only `fast`). */
  paths: string;
  /** The CLI itself (runCli), median time and spawns, as a check of the step-by-step install. */
  cli: { ms: number; spawns: number };
  /** From the median-time install: all its commands grouped, with count and total ms. */
  commands: Array<{ kind: string; count: number; ms: number }>;
}

/** Groups the commands of one install by what they do. */
function groupCommands(sample: InstallSample): BackendResult['commands'] {
  const groups = new Map<string, { count: number; ms: number }>();
  for (const c of sample.commands) {
    const kind = c.command
      .replace(/^(ip6?tables)-(nft|legacy)/, '$1')
      .replace(/ -m \w+ -h$/, ' -m <module> -h')
      .replace(/ -t \w+$/, ' -t <table>');
    const g = groups.get(kind) ?? { count: 0, ms: 0 };
    g.count++;
    g.ms += c.ms;
    groups.set(kind, g);
  }
  return [...groups].map(([kind, g]) => ({ kind, ...g })).sort((a, b) => b.ms - a.ms);
}

function benchBackend(backend: Mode): BackendResult {
  const installs: InstallSample[] = [];
  const bares: BareSample[] = [];
  const clis: CliSample[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const [a, b, c] = [freshNamespace(), freshNamespace(), freshNamespace()];
    try {
      const inst = inWorker<InstallSample>(a, { kind: 'install', mode: backend });
      installs.push(inst);
      const bare: WorkerRequest = inst.nftScript ? { kind: 'bare-nft', script: inst.nftScript } : { kind: 'bare', backend: inst.restoredWith, rules: inst.rules };
      bares.push(inWorker<BareSample>(b, bare));
      clis.push(inWorker<CliSample>(c, { kind: 'cli', mode: backend }));
    } finally {
      [a, b, c].forEach(dropNamespace);
    }
  }
  const install = median(installs.map((s) => s.totalMs));
  const bare = median(bares.map((s) => s.totalMs));
  const typical = [...installs].sort((x, y) => x.totalMs - y.totalMs)[installs.length >> 1]!;
  return {
    backend,
    install,
    detect: median(installs.map((s) => s.detectMs)),
    render: median(installs.map((s) => s.renderMs)),
    preflight: median(installs.map((s) => s.preflightMs)),
    apply: median(installs.map((s) => s.applyMs)),
    bare,
    ratio: install / bare,
    spawns: median(installs.map((s) => s.spawns)),
    detectSpawns: median(installs.map((s) => s.detectSpawns)),
    families: Object.keys(installs[0]!.rules).join(' + ') + (backend === 'auto' ? ` (${installs[0]!.restoredWith})` : ''),
    paths: [...new Set(installs.map((s) => s.path))].join(', '),
    commands: groupCommands(typical),
    cli: { ms: median(clis.map((s) => s.totalMs)), spawns: median(clis.map((s) => s.spawns)) },
  };
}

/** Why the target is met or missed, from the measured split. */
function verdict(results: BackendResult[]): string[] {
  const missed = results.filter((r) => r.ratio > TARGET);
  if (missed.length === 0) return ['Target met for every backend.'];
  return [
    `Target missed (${missed.map((r) => r.backend).join(', ')}). Per backend, against the bare restore:`,
    '',
    ...results.map((r) => {
      const families = r.families.split(' + ').length;
      const perProcess = r.bare / families;
      const top = r.commands
        .slice(0, 3)
        .map((c) => `\`${c.kind}\` ×${c.count} ${ms(c.ms)} ms`)
        .join(', ');
      const nodeMs = r.install - r.spawns * perProcess;
      return (
        `- ${r.backend}: apply ${(r.apply / r.bare).toFixed(1)}×, pre-flight ${(r.preflight / r.bare).toFixed(1)}×, ` +
        `detection ${(r.detect / r.bare).toFixed(1)}× (${ms(r.detect)} ms, ${r.detectSpawns} processes; most expensive commands: ${top}). ` +
        `One process start costs about ${ms(perProcess)} ms here (the bare restore runs ${families}), so ${TARGET}× leaves room for ` +
        `about ${Math.floor((TARGET * r.bare) / perProcess)} processes in all; the install spawns ${r.spawns} ` +
        `(floor ${(r.spawns / families).toFixed(1)}×), and the rest, ${ms(Math.max(nodeMs, 0))} ms, is Node's own work (config, parsing the saves, rendering, building the restore input).`
      );
    }),
    '',
    'So the target is a process budget: detection, pre-flight and apply together must start no more processes than about three per family, minus what Node itself spends.',
  ];
}

function report(results: BackendResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.backend} | ${r.families} | ${ms(r.install)} | ${ms(r.detect)} | ${ms(r.render)} | ${ms(r.preflight)} | ${ms(r.apply)} | ${ms(r.bare)} | **${r.ratio.toFixed(2)}×** ${r.ratio <= TARGET ? `(≤ ${TARGET}×: met)` : `(> ${TARGET}×: missed)`} | ${(r.apply / r.bare).toFixed(2)}× | ${r.spawns} (${r.detectSpawns} + ${r.spawns - r.detectSpawns}) | ${r.paths} |`,
  );
  const cpus = sh('nproc', []).trim();
  const load = loadavg()[0]!.toFixed(1);
  return [
    `Command: \`${COMMAND}\` (as root; \`BENCH_INIT_ITERATIONS\`, default 7, max 25).`,
    '',
    `Run: ${new Date().toISOString().slice(0, 16)}Z, ${cpus} cores (1-min load average ${load} at the end: other work was running), Node ${process.version}, kernel ${sh('uname', ['-r']).trim()}, ${ITERATIONS} iterations per backend, each measurement in its own fresh network namespace (lo + a veth interface with an IPv4 and an IPv6 address, so dual-stack rules apply).`,
    '',
    `- **install**: \`kuma-init install transparent-proxy ${installArgs('<mode>' as Mode).join(' ')}\` as the CLI runs it: config from argv, then the CLI's own \`detectAndInstall\` (init/pipeline/pipeline.ts, in sequence: fast path = detection without module/table probes, render, install whose restore proves the modules; slow path = Kuma's probes, render, pre-flight \`iptables-restore --test\`, install), timed inside a worker already running in the namespace (Node start-up excluded). Otherwise the default configuration. **path** says which path the installs took.`,
    '- **bare restore**: `iptables-<backend>-restore` then `ip6tables-<backend>-restore` of the very rules that install rendered, in another fresh namespace, timed the same way (for `auto`: the backend it chose, in brackets under families).',
    '- **nftables**: `--nftables` (docs/nftables.md): detection lists the ruleset once, then one `nft -f` of the whole table for both families; its bare baseline is `nft -f` of that same script.',
    '- **auto** is the default mode, what an injected kuma-init runs: like Kuma it looks at the legacy backend for existing rules before choosing; on the fast path `/proc/net/ip_tables_names` tells, so a namespace without legacy tables costs no legacy process.',
    '- **spawned**: processes the install started: detection (iptables-save per family, `ip`, on the slow path the probes) + the rest (restores; on the slow path also pre-flight `--test` restores and saves); the bare restore spawns one per family.',
    '',
    '| backend | families | install (ms) | detect | render | pre-flight | apply | bare restore (ms) | install / bare | apply / bare | spawned (detect + rest) | path |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
    '',
    `Check against the CLI itself (\`runCli\`, as bin/kuma-init.js runs it, in a third fresh namespace per iteration): ${results
      .map((r) => `${r.backend} ${ms(r.cli.ms)} ms, ${r.cli.spawns} processes${r.cli.spawns === r.spawns ? '' : ` (step-by-step install: ${r.spawns}: the bench no longer follows the CLI)`}`)
      .join('; ')}.`,
    '',
    `Times are medians. Target: install at most ${TARGET}× the bare restore for both families together.`,
    '',
    ...verdict(results),
    '',
    'Where the install spends its processes (the median install of each backend; processes grouped, wall time summed):',
    '',
    '| backend | command | count | ms |',
    '|---|---|---:|---:|',
    ...results.flatMap((r) => r.commands.map((c) => `| ${r.backend} | \`${c.kind}\` | ${c.count} | ${ms(c.ms)} |`)),
  ].join('\n');
}

async function main(): Promise<void> {
  if (process.argv.includes('--worker')) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    const req = JSON.parse(Buffer.concat(chunks).toString()) as WorkerRequest;
    const measure = (): Promise<InstallSample | BareSample | CliSample> => {
      if (req.kind === 'bare') return measureBareRestore(req.backend, req.rules);
      if (req.kind === 'bare-nft') return measureBareNft(req.script);
      return req.kind === 'cli' ? measureCli(req.mode) : measureInstall(req.mode);
    };
    const sample = await measure();
    process.stdout.write(`${JSON.stringify(sample)}\n`);
    return;
  }
  if (process.getuid?.() !== 0) throw new Error('bench:init needs root (network namespaces, iptables)');
  const cleanup = () => [...live].forEach(dropNamespace);
  // Ctrl-C: remove our namespaces, then end by the signal itself, as without this handler.
  process.once('SIGINT', () => {
    cleanup();
    process.kill(process.pid, 'SIGINT');
  });
  try {
    const results = MODES.map(benchBackend);
    const body = report(results);
    console.log(body);
    replaceSection(docs, 'kuma-init', body);
    console.log(`\nwritten to ${docs} (section "kuma-init")`);
  } finally {
    cleanup();
  }
}

await main();
