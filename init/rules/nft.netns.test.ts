// The nftables script in a real kernel: every named configuration loads with
// `nft -f` in a throwaway network namespace and lists back exactly as rendered
// (the no-op check of an install relies on it), twice in a row; generated
// configurations too. Other tools' tables (native nft and iptables-nft) are
// left alone and the uninstall script restores `nft list ruleset` byte for
// byte; a failing script changes nothing; 200 SIGKILLs at random moments
// leave no table or a complete one.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingRootTools } from '../../test-support/environment.ts';
import { defaultConfig } from '../config/index.ts';
import { createNetns, destroyAll, run, type Netns } from '../../test-support/init/netns.ts';
import { NFT_DELETE_SCRIPT, renderNftRules } from './nft.ts';
import { configArbitrary, profileArbitrary } from '../../test-support/init/test-arbitraries.ts';
import { fullProfile, namedCases } from '../../test-support/init/test-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'kuma-nft-'));
afterAll(async () => {
  await destroyAll();
  rmSync(dir, { recursive: true, force: true });
});

let files = 0;
function file(text: string): string {
  const path = join(dir, `${++files}.nft`);
  writeFileSync(path, text);
  return path;
}

const LIST = 'nft -y list table inet kuma';
const MARK = '--8<--';

/** Loads `script` twice in a fresh netns; returns the listing after each load. */
async function loadTwice(script: string): Promise<{ code: number; stderr: string; first: string; second: string }> {
  const f = file(script);
  const r = await run('unshare', ['-n', 'sh', '-c', `set -e; nft -f ${f}; ${LIST}; echo '${MARK}'; nft -f ${f}; ${LIST}`]);
  const [first = '', second = ''] = r.stdout.split(`${MARK}\n`);
  return { code: r.code, stderr: r.stderr, first, second };
}

const tableOf = async (ns: Netns): Promise<string | undefined> => {
  const r = await ns.run('nft', ['-y', 'list', 'table', 'inet', 'kuma']);
  return r.code === 0 ? r.stdout : undefined;
};

const rendered = namedCases.map((c) => ({ name: c.name, rules: renderNftRules(c.config, c.profile) }));

describe.skipIf(missingRootTools('unshare', 'nft', 'iptables-nft', 'iptables-legacy'))('the nftables script in a real kernel', () => {
  it.each(rendered)('$name loads, lists back as rendered, and loads again unchanged', async ({ rules }) => {
    const result = await loadTwice(rules.script);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.first).toBe(rules.table);
    expect(result.second).toBe(rules.table);
  });

  it('generated configurations load and list back as rendered', async () => {
    await fc.assert(
      fc.asyncProperty(configArbitrary, profileArbitrary, async (config, profile) => {
        const rules = renderNftRules(config, profile);
        const result = await loadTwice(rules.script);
        expect(result.stderr).toBe('');
        expect(result.first).toBe(rules.table);
      }),
      { numRuns: 25 },
    );
  });

  describe('next to other tools', () => {
    let ns: Netns;
    const dns = defaultConfig();
    dns.redirect.dns.enabled = true;
    const rules = renderNftRules(dns, fullProfile());

    beforeAll(async () => {
      ns = await createNetns('nft');
      // A native nft table of another tool, and iptables-nft rules in its `ip nat`/`ip filter`/`ip6 nat`.
      await ns.runOk('nft', ['-f', file('table inet other {\n chain out { type nat hook output priority -100; tcp dport 8080 redirect to :9999; }\n chain c { counter; }\n}\n')]);
      await ns.runOk('iptables-nft', ['-t', 'nat', '-N', 'DOCKER_OUTPUT']);
      await ns.runOk('iptables-nft', ['-t', 'nat', '-A', 'OUTPUT', '-d', '127.0.0.11/32', '-j', 'DOCKER_OUTPUT']);
      await ns.runOk('iptables-nft', ['-A', 'INPUT', '-p', 'tcp', '--dport', '22', '-j', 'ACCEPT']);
      await ns.runOk('ip6tables-nft', ['-t', 'nat', '-A', 'OUTPUT', '-p', 'udp', '--dport', '53', '-j', 'RETURN']);
      await ns.runOk('iptables-legacy', ['-t', 'nat', '-A', 'OUTPUT', '-p', 'tcp', '--dport', '7', '-j', 'RETURN']);
    });

    it('install adds only our table; uninstall restores the ruleset byte for byte', async () => {
      const before = await ns.runOk('nft', ['list', 'ruleset']);
      const legacyBefore = await ns.iptablesSave('iptables-legacy-save');
      await ns.runOk('nft', ['-f', file(rules.script)]);
      const during = await ns.runOk('nft', ['list', 'ruleset']);
      expect(await tableOf(ns)).toBe(rules.table);
      // Every other table is still there, unchanged.
      for (const table of ['inet other', 'ip nat', 'ip filter', 'ip6 nat']) {
        const listing = await ns.runOk('nft', ['list', 'table', ...table.split(' ')]);
        expect(during).toContain(listing);
        expect(before).toContain(listing);
      }
      await ns.runOk('nft', ['-f', file(NFT_DELETE_SCRIPT)]);
      expect(await ns.runOk('nft', ['list', 'ruleset'])).toBe(before);
      expect(await ns.iptablesSave('iptables-legacy-save')).toBe(legacyBefore);
    });

    it('uninstall without our table succeeds and changes nothing', async () => {
      const before = await ns.runOk('nft', ['list', 'ruleset']);
      await ns.runOk('nft', ['-f', file(NFT_DELETE_SCRIPT)]);
      expect(await ns.runOk('nft', ['list', 'ruleset'])).toBe(before);
    });

    it('a script that fails in its last line changes nothing: all or none', async () => {
      await ns.runOk('nft', ['-f', file(rules.script)]);
      const before = await ns.runOk('nft', ['list', 'ruleset']);
      const other = renderNftRules(defaultConfig(), fullProfile({ ipv6Usable: false }));
      const broken = other.script.replace(/\n}\n$/, '\n\tchain broken {\n\t\tjump no_such_chain\n\t}\n}\n');
      const result = await ns.run('nft', ['-f', file(broken)]);
      expect(result.code).not.toBe(0);
      expect(await ns.runOk('nft', ['list', 'ruleset'])).toBe(before);
      await ns.runOk('nft', ['-f', file(NFT_DELETE_SCRIPT)]);
    });

    it('200 SIGKILLs at random moments leave no table or a complete one', async () => {
      const scripts = [rules, renderNftRules(defaultConfig(), fullProfile())].map((r) => ({ path: file(r.script), table: r.table }));
      const complete = new Set(['', ...scripts.map((s) => s.table)]);
      // How long one load takes here, to spread the kills over it.
      const started = process.hrtime.bigint();
      await ns.runOk('nft', ['-f', scripts[0]!.path]);
      const loadUs = Number(process.hrtime.bigint() - started) / 1e3;
      // Trials run in a shell inside a namespace (no process per check from here): a load (installs
      // and uninstalls in turn), SIGKILL after a random delay, the exit status, the table. Four
      // namespaces side by side, 50 trials each, so the waits overlap.
      const trials = file(`exec 3<> <(:)
scripts=(${[...scripts.map((s) => s.path), file(NFT_DELETE_SCRIPT)].join(' ')})
for ((i = 0; i < 50; i++)); do
  nft -f "\${scripts[i % 3]}" & pid=$!
  read -t "0.$(printf %06d $(( (RANDOM * 32768 + RANDOM) % ${Math.min(999_999, Math.ceil(loadUs * 1.5))} )))" -u 3 || true
  kill -9 $pid 2>/dev/null
  wait $pid; echo $? > "$1/status.$i"
  nft -y list table inet kuma > "$1/table.$i" 2>/dev/null || : > "$1/table.$i"
done
`);
      const spaces = [ns, ...(await Promise.all([1, 2, 3].map(() => createNetns('nftkill'))))];
      const outs = spaces.map(() => mkdtempSync(join(dir, 'trials-')));
      await Promise.all(spaces.map((space, n) => space.runOk('bash', [trials, outs[n]!], { timeoutMs: 120_000 })));
      let killed = 0;
      for (const out of outs) {
        for (let trial = 0; trial < 50; trial++) {
          const table = readFileSync(join(out, `table.${trial}`), 'utf8');
          expect(complete.has(table), `trial ${trial}: partial table\n${table}`).toBe(true);
          if (readFileSync(join(out, `status.${trial}`), 'utf8').trim() === '137') killed++;
        }
      }
      // The kills did land while nft was running (exit status 128 + SIGKILL), not only after it had finished.
      expect(killed).toBeGreaterThan(0);
    });
  });
});
