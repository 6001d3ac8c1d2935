// What one backend can do, probed in Kuma's exact order (the order of first
// use decides the table order of a later `iptables-legacy-save`, which the
// e2e goldens capture): modules, existing rules (nat, raw, mangle), tables.
import type { SystemDeps } from './deps.ts';
import { hasDockerOutputChain, hasRulesBeyondBuiltins } from './parse.ts';
import type { Executables, FamilyProfile } from './profile.ts';

const moduleNames = ['owner', 'tcp', 'udp', 'comment', 'conntrack', 'multiport'] as const;
const tableNames = ['nat', 'raw', 'mangle'] as const;

/** Probes modules and tables; an `iptables-save -t <table>` result is reused between the two table passes. */
export async function probeFunctionality(deps: SystemDeps, exe: Executables): Promise<Omit<FamilyProfile, 'executables'>> {
  // Module probes touch no table, so they run side by side; the table probes below stay in order.
  const loaded = await Promise.all(moduleNames.map((m) => deps.run(exe.iptables, ['-m', m, '-h'], { env: deps.env })));
  const modules = Object.fromEntries(moduleNames.map((m, i) => [m, loaded[i]!.code === 0])) as FamilyProfile['modules'];
  const saves = new Map<string, { ok: boolean; stdout: string }>();
  const save = async (table: string) => {
    let r = saves.get(table);
    if (!r) {
      const out = await deps.run(exe.save, ['-t', table], { env: deps.env });
      r = { ok: out.code === 0, stdout: out.stdout };
      saves.set(table, r);
    }
    return r;
  };
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

/** Kuma's minimal requirements (nat table, tcp and owner modules); undefined when met. */
export function unmetRequirements(f: Omit<FamilyProfile, 'executables'>): string | undefined {
  const missing: string[] = [];
  if (!f.tables.nat) missing.push('missing table: "nat"');
  if (!f.modules.tcp) missing.push('missing module: "tcp"');
  if (!f.modules.owner) missing.push('missing module: "owner"');
  return missing.length ? `functionality verification failed: unmet minimal requirements: ${missing.join('\n')}` : undefined;
}
