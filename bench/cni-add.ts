// `npm run bench:cni`: wall time of kuma-cni's ADD (the single executable
// dist/cni/kuma-cni) for a pod our webhook injected (legacy annotations, the
// 2.13 default), against two floors measured in the same run: the reference
// `bridge` plugin's ADD for the same pods, and the bundled `kuma-init
// install transparent-proxy` installing the same rules in the same kind of
// pod namespace. Every plugin runs as a runtime runs it: a process started
// in a node namespace with CNI_* variables and its config on stdin, in a
// runtime's environment rather than this shell's (RUNTIME_ENV), and the
// stand-in API server answers kuma-cni's pod GET on the node's loopback.
// Each iteration uses a fresh pod namespace; the single executable's VERSION
// shows what its start alone costs. Prints a markdown table; the
// target is kuma-cni ADD <= 150 ms (docs/cni.md).
import { writeFileSync, mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { buildCniExecutable, bundleProgram } from '../bin/bundle.ts';
import { CNI_BIN, CniNode, injectedPod, RUNTIME_ENV } from '../test-support/init/cni/cni-chain.ts';
import { destroyAll } from '../test-support/init/netns.ts';

const ITERATIONS = Math.min(Math.max(Number(process.env.BENCH_CNI_ITERATIONS ?? 15), 1), 50);
const TARGET_MS = 150;
const repo = fileURLToPath(new URL('..', import.meta.url));

/** The config Kuma 2.13's kuma-cni builds from the webhook's legacy annotations (init/cni/legacy-annotations.ts), for kuma-init. */
const SAME_RULES = {
  cniMode: true,
  verbose: true,
  kumaDPUser: '5678',
  redirect: {
    inbound: { excludePorts: [9901, 9001] },
    outbound: { excludePorts: [9901] },
    dns: { enabled: true, captureAll: true, port: 15053 },
  },
};

const stats = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p90: at(0.9), min: sorted[0]! };
};

async function timed(fn: () => Promise<{ code: number; stdout: string; stderr: string }>, what: string): Promise<number> {
  const start = performance.now();
  const r = await fn();
  const ms = performance.now() - start;
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}): ${r.stdout}${r.stderr}`);
  return ms;
}

async function main(): Promise<void> {
  const kumaCni = await buildCniExecutable(join(repo, 'dist', 'cni'));
  const kumaInit = await bundleProgram('kuma-init', join(repo, 'dist', 'init'));
  const configFile = join(mkdtempSync(join(tmpdir(), 'bench-cni-')), 'same-rules.yaml');
  writeFileSync(configFile, stringify(SAME_RULES));
  const node = await CniNode.create(31);
  // A shell or CI runner may set NODE_EXTRA_CA_CERTS; a runtime on a node does not (RUNTIME_ENV). When it is
  // set here, one more ADD per round shows what it costs every Node start.
  const extraCa = process.env.NODE_EXTRA_CA_CERTS;
  const samples = { start: [] as number[], bridge: [] as number[], kumaCni: [] as number[], kumaInit: [] as number[], extraCa: [] as number[] };
  /** A new pod namespace after loopback and bridge ADD: the bridge's wall time and its result for kuma-cni. */
  const bridgedPod = async (name: string) => {
    const pod = await node.newPod(name);
    await node.exec(join(CNI_BIN, 'loopback'), 'ADD', { ...pod, ifname: 'lo' }, { cniVersion: '0.3.1', name: 'cni-loopback', type: 'loopback' });
    let bridgeOut = '';
    const bridgeMs = await timed(async () => {
      const r = await node.exec(join(CNI_BIN, 'bridge'), 'ADD', pod, { cniVersion: '0.3.1', name: 'kt-net', ...node.bridgeConf() });
      bridgeOut = r.stdout;
      return r;
    }, 'bridge ADD');
    const kumaConf = { cniVersion: '0.3.1', name: 'kt-net', ...node.kumaConf({ log_level: 'info' }), prevResult: JSON.parse(bridgeOut) as object };
    return { pod, bridgeMs, kumaConf };
  };
  try {
    for (let i = 0; i < ITERATIONS + 1; i++) {
      // The first round warms the page cache (the 100 MB executable, node); it is not counted.
      const keep = i > 0;
      const name = `bench-${i}`;
      node.api.put(await injectedPod(name, 'cni-legacy'));
      const { pod, bridgeMs, kumaConf } = await bridgedPod(name);
      const cniMs = await timed(() => node.exec(kumaCni, 'ADD', pod, kumaConf), 'kuma-cni ADD');
      const startMs = await timed(() => node.ns.run(kumaCni, [], { replaceEnv: true, env: { ...RUNTIME_ENV, CNI_COMMAND: 'VERSION' } }), 'kuma-cni VERSION');
      await pod.netns.destroy();

      const initPod = (await bridgedPod(`${name}-init`)).pod;
      const initMs = await timed(
        () => initPod.netns.run(process.execPath, [kumaInit, 'install', 'transparent-proxy', '--config', configFile], { replaceEnv: true, env: RUNTIME_ENV, timeoutMs: 60_000 }),
        'kuma-init install',
      );
      await initPod.netns.destroy();

      let extraCaMs: number | undefined;
      if (extraCa) {
        node.api.put(await injectedPod(`${name}-ca`, 'cni-legacy'));
        const ca = await bridgedPod(`${name}-ca`);
        extraCaMs = await timed(() => node.exec(kumaCni, 'ADD', ca.pod, ca.kumaConf, { NODE_EXTRA_CA_CERTS: extraCa }), 'kuma-cni ADD');
        await ca.pod.netns.destroy();
      }
      if (keep) {
        samples.start.push(startMs);
        samples.bridge.push(bridgeMs);
        samples.kumaCni.push(cniMs);
        samples.kumaInit.push(initMs);
        if (extraCaMs !== undefined) samples.extraCa.push(extraCaMs);
      }
    }
  } finally {
    await node.destroy();
    await destroyAll();
  }
  const rows = [
    ['`bridge` ADD (containernetworking-plugins, floor)', stats(samples.bridge)],
    ['kuma-cni VERSION, single executable (its start alone)', stats(samples.start)],
    ['`kuma-init install transparent-proxy`, bundled, same rules (floor)', stats(samples.kumaInit)],
    ['**kuma-cni ADD**, single executable, injected pod', stats(samples.kumaCni)],
    ...(extraCa ? ([[`kuma-cni ADD with this shell's NODE_EXTRA_CA_CERTS (not a runtime's environment)`, stats(samples.extraCa)]] as const) : []),
  ] as const;
  const cni = stats(samples.kumaCni);
  console.log(`\n${ITERATIONS} pods, ${new Date().toISOString()}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  console.log('| wall time per call | median ms | p90 ms | min ms |');
  console.log('|---|---:|---:|---:|');
  for (const [label, s] of rows) console.log(`| ${label} | ${s.median.toFixed(1)} | ${s.p90.toFixed(1)} | ${s.min.toFixed(1)} |`);
  console.log(`\nkuma-cni ADD median ${cni.median.toFixed(1)} ms: ${cni.median <= TARGET_MS ? 'within' : 'OVER'} the ${TARGET_MS} ms target; ${(cni.median / stats(samples.bridge).median).toFixed(2)}x bridge, ${(cni.median / stats(samples.kumaInit).median).toFixed(2)}x kuma-init`);
}

await main();
