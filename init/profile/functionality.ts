// What one backend can do, probed in Kuma's order (the order of first use
// decides the table order of a later `iptables-legacy-save`, which the e2e
// goldens capture): modules, existing rules (nat, raw, mangle), tables. Same
// answers as Kuma's probes with fewer processes.
import type { SystemDeps } from '../system/index.ts';
import { hasDockerOutputChain, hasRulesBeyondBuiltins, saveVersion, tableSection } from './parse.ts';
import type { Executables, FamilyProfile, IpFamily } from './profile.ts';

const moduleNames = ['owner', 'tcp', 'udp', 'comment', 'conntrack', 'multiport'] as const;
/** Kuma's probe order of the tables; on legacy the probes create them in this order. */
export const tableNames = ['nat', 'raw', 'mangle'] as const;

/** One rule per module; when `restore --test` accepts it, every `-m <module> -h` would succeed too. */
const moduleProbeRules = `*nat
-A OUTPUT -m owner --uid-owner 0 -j RETURN
-A OUTPUT -p tcp -m tcp --dport 1 -j RETURN
-A OUTPUT -p udp -m udp --dport 1 -j RETURN
-A OUTPUT -m comment --comment probe -j RETURN
-A OUTPUT -m conntrack --ctstate NEW -j RETURN
-A OUTPUT -p tcp -m multiport --dports 1,2 -j RETURN
COMMIT
`;

/**
 * Kuma runs `iptables -m <m> -h` per module. One `restore --test` of a rule per
 * module answers for all six when they load (the usual case); otherwise the
 * individual probes tell which one is missing. The test reads only the nat
 * table, the table Kuma's probes touch first anyway.
 */
async function probeModules(deps: SystemDeps, exe: Executables): Promise<FamilyProfile['modules']> {
  const all = await deps.run(exe.restore, ['--test'], { input: moduleProbeRules, env: deps.env });
  if (all.code === 0) return Object.fromEntries(moduleNames.map((m) => [m, true])) as FamilyProfile['modules'];
  const loaded = await Promise.all(moduleNames.map((m) => deps.run(exe.iptables, ['-m', m, '-h'], { env: deps.env })));
  return Object.fromEntries(moduleNames.map((m, i) => [m, loaded[i]!.code === 0])) as FamilyProfile['modules'];
}

type TableSave = { ok: boolean; stdout: string };

/**
 * `iptables-save -t <table>` per table, in Kuma's order (on legacy the first use
 * creates the table and decides iptables-legacy-save's table order). nft creates
 * nothing on a save, so one `iptables-nft-save` answers for the three tables.
 */
function tableSaves(deps: SystemDeps, exe: Executables): (table: string) => Promise<TableSave> {
  const saves = new Map<string, Promise<TableSave>>();
  let full: Promise<TableSave> | undefined;
  return (table) => {
    let r = saves.get(table);
    if (!r) {
      if (exe.mode === 'nft') {
        full ??= deps.run(exe.save, [], { env: deps.env }).then((out) => ({ ok: out.code === 0, stdout: out.stdout }));
        r = full.then((f) => ({ ok: f.ok, stdout: tableSection(f.stdout, table) }));
      } else {
        r = deps.run(exe.save, ['-t', table], { env: deps.env }).then((out) => ({ ok: out.code === 0, stdout: out.stdout }));
      }
      saves.set(table, r);
    }
    return r;
  };
}

/** Probes modules and tables (tproxy spec §3.3 step 3). */
export async function probeFunctionality(deps: SystemDeps, exe: Executables): Promise<Omit<FamilyProfile, 'executables'>> {
  const modules = await probeModules(deps, exe);
  const save = tableSaves(deps, exe);
  let existingRules = false;
  for (const t of tableNames) {
    const r = await save(t);
    if (r.ok && hasRulesBeyondBuiltins(r.stdout, t)) {
      existingRules = true;
      break;
    }
  }
  const tables = {} as FamilyProfile['tables'];
  for (const t of tableNames) tables[t] = (await save(t)).ok;
  const nat = await save('nat');
  return { modules, tables, dockerOutput: nat.ok && hasDockerOutputChain(nat.stdout), existingRules };
}

/**
 * iptables-legacy-save lists the tables named in /proc/net/ip(6)_tables_names
 * (per network namespace, the reader's): none there (a fresh pod, or the
 * module not even loaded) means legacy holds no rule in this namespace, and
 * its save would print nothing.
 */
async function noLegacyTables(deps: SystemDeps, family: IpFamily): Promise<boolean> {
  try {
    return (await deps.readFile(`/proc/net/${family === 'ipv4' ? 'ip' : 'ip6'}_tables_names`)).trim() === '';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** Kuma's minimal requirements (nat table, tcp and owner modules); undefined when met. */
export function unmetRequirements(f: Omit<FamilyProfile, 'executables'>): string | undefined {
  const missing: string[] = [];
  if (!f.tables.nat) missing.push('missing table: "nat"');
  if (!f.modules.tcp) missing.push('missing module: "tcp"');
  if (!f.modules.owner) missing.push('missing module: "owner"');
  return missing.length ? `functionality verification failed: unmet minimal requirements: ${missing.join('\n')}` : undefined;
}

/**
 * The fast path's functionality: modules and tables assumed present (the
 * caller checked for the standard multi-call binary), existing rules and
 * DOCKER_OUTPUT read from one plain save, which is kept as the install's
 * snapshot. A plain save creates no table; on legacy it is not even started
 * when the namespace has no legacy table (unlike Kuma's `-t <table>` probes,
 * which create nat, raw and mangle there even when nft wins: docs/tproxy-apply.md §3).
 * Undefined when the save fails: the caller probes instead.
 */
export async function assumeFunctionality(
  deps: SystemDeps,
  exe: Executables,
  family: IpFamily,
): Promise<(Omit<FamilyProfile, 'executables'> & { snapshot: string; version: string }) | undefined> {
  let snapshot = '';
  if (!(exe.mode === 'legacy' && (await noLegacyTables(deps, family)))) {
    const r = await deps.run(exe.save, [], { env: deps.env });
    if (r.code !== 0) return undefined;
    snapshot = r.stdout;
  }
  return {
    modules: Object.fromEntries(moduleNames.map((m) => [m, true])) as FamilyProfile['modules'],
    tables: { nat: true, raw: true, mangle: true },
    dockerOutput: hasDockerOutputChain(tableSection(snapshot, 'nat')),
    existingRules: tableNames.some((t) => hasRulesBeyondBuiltins(tableSection(snapshot, t), t)),
    assumed: true,
    snapshot,
    version: saveVersion(snapshot) ?? exe.version,
  };
}
