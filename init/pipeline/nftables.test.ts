// The --nftables stages with a stand-in system (recorded answers; what cannot
// happen on this machine: no nft, no NET_ADMIN, a kernel without NAT
// redirect): which processes run, and errors that name what is missing.
import { describe, expect, it } from 'vitest';
import { defaultConfig, type TransparentProxyConfig } from '../config/index.ts';
import type { ApplyLog } from '../exec/index.ts';
import { renderNftRules, type NftRules } from '../rules/index.ts';
import { ApplyError } from '../system/index.ts';
import { recordedSystem } from '../../test-support/init/recorded-system.ts';
import { fullProfile } from '../../test-support/init/test-fixtures.ts';
import { detectAndInstall } from './pipeline.ts';

const NFT = '/usr/sbin/nft';
const passwd = { '/etc/passwd': 'root:x:0:0::/root:/bin/sh\nkuma-dp:x:5678:5678::/:/bin/false\n' };

function nftConfig(change: (c: TransparentProxyConfig) => void = () => undefined): TransparentProxyConfig {
  const c = defaultConfig();
  c.nftables = true;
  c.ipFamilyMode = 'ipv4';
  change(c);
  return c;
}

/** The table this config renders for the recorded pod (lo, kuma-dp 5678, IPv4). */
const expected = (config: TransparentProxyConfig): NftRules =>
  renderNftRules(config, fullProfile({ ipv6Usable: false, users: [{ name: 'root', uid: 0 }, { name: 'kuma-dp', uid: 5678 }] }));

function system(answers: { ruleset?: { code: number; stdout?: string; stderr?: string }; load?: { code: number; stderr?: string } }, executables = [NFT]) {
  const loads: string[] = [];
  const sys = recordedSystem({
    executables,
    files: passwd,
    respond: (line, input) => {
      if (line === `${NFT} -y list ruleset`) return answers.ruleset ?? { code: 0, stdout: '' };
      if (line === `${NFT} -f -`) {
        loads.push(input ?? '');
        return answers.load ?? { code: 0 };
      }
      return undefined;
    },
  });
  return { sys, loads };
}

function run(config: TransparentProxyConfig, sys: ReturnType<typeof system>['sys']) {
  const log: ApplyLog = { info: () => undefined, warn: () => undefined };
  return detectAndInstall(config, sys, { log, renderWarning: () => undefined });
}

describe('--nftables through the install pipeline', () => {
  it('one ruleset listing, one nft -f of the rendered script; no iptables process', async () => {
    const config = nftConfig();
    const { sys, loads } = system({});
    const result = await run(config, sys);
    expect(result.path).toBe('nftables');
    expect(sys.calls).toEqual([`${NFT} -y list ruleset`, `${NFT} -f -`]);
    expect(loads).toEqual([expected(config).script]);
    expect(result.installed?.families).toEqual([{ family: 'ipv4', backend: 'nftables', action: 'applied' }]);
  });

  it('does nothing when our table is listed exactly as rendered, and replaces it when it differs at all', async () => {
    const config = nftConfig();
    const { table } = expected(config);
    const other = 'table ip nat {\n\tchain DOCKER_OUTPUT {\n\t}\n}\n';
    const same = system({ ruleset: { code: 0, stdout: `${other}${table}` } });
    expect((await run(config, same.sys)).installed?.families[0]?.action).toBe('unchanged');
    expect(same.loads).toEqual([]);
    const tampered = table.replace('\t}\n}\n', '\t\tip daddr 10.0.0.1 return\n\t}\n}\n');
    const changed = system({ ruleset: { code: 0, stdout: tampered } });
    expect((await run(config, changed.sys)).installed?.families[0]?.action).toBe('applied');
    expect(changed.loads).toHaveLength(1);
  });

  it("reads Docker's DOCKER_OUTPUT from an iptables-nft nat table (the DNS conntrack split then follows Kuma)", async () => {
    const config = nftConfig((c) => (c.redirect.dns.captureAll = c.redirect.dns.enabled = true));
    const docker = 'table ip nat {\n\tchain DOCKER_OUTPUT {\n\t\tip daddr 127.0.0.11 udp dport 53 dnat to 127.0.0.11:40000\n\t}\n}\n';
    const { sys, loads } = system({ ruleset: { code: 0, stdout: docker } });
    await run(config, sys);
    expect(loads[0]).not.toContain('ct zone set');
    const plain = system({});
    await run(config, plain.sys);
    expect(plain.loads[0]).toContain('ct zone set');
  });

  it('warns when Kuma rules installed with iptables-nft are present too', async () => {
    const iptables = 'table ip nat {\n\tchain KUMA_MESH_OUTBOUND {\n\t}\n}\n';
    const { sys } = system({ ruleset: { code: 0, stdout: iptables } });
    const warnings: string[] = [];
    await detectAndInstall(nftConfig(), sys, { log: { info: () => undefined, warn: (m) => warnings.push(m) }, renderWarning: () => undefined });
    expect(warnings).toEqual([expect.stringMatching(/rules installed with iptables are present too; remove them with `kuma-init uninstall transparent-proxy`/)]);
    const clean = system({});
    const none: string[] = [];
    await detectAndInstall(nftConfig(), clean.sys, { log: { info: () => undefined, warn: (m) => none.push(m) }, renderWarning: () => undefined });
    expect(none).toEqual([]);
  });

  it.each([
    ['no nft on PATH', system({}, []).sys, 'NFT_NOT_FOUND', /--nftables needs the nft executable, which is not on PATH .* Install nftables in the init image/],
    [
      'no NET_ADMIN',
      system({ ruleset: { code: 1, stderr: 'Operation not permitted (you must be root)\nnetlink: Error: cache initialization failed: Operation not permitted\n' } }).sys,
      'NFT_UNUSABLE',
      /cannot read the ruleset: Operation not permitted \(you must be root\): kuma-init needs the NET_ADMIN capability/,
    ],
    [
      'a kernel without NAT redirect',
      system({
        load: {
          code: 1,
          stderr: '/dev/stdin:30:3-37: Error: Could not process rule: No such file or directory\n\t\tmeta l4proto tcp redirect to :15006\n\t\t^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n',
        },
      }).sys,
      'NFT_FAILED',
      /Could not process rule: No such file or directory in 'meta l4proto tcp redirect to :15006' \(needs the redirect statement \(nft_redir, nf_nat\)\); nothing was changed/,
    ],
  ])('names what is missing: %s', async (_case, sys, code, message) => {
    const error = await run(nftConfig(), sys).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyError);
    expect((error as ApplyError).code).toBe(code);
    expect((error as ApplyError).message).toMatch(message);
  });

  it('a dry run without nft warns and still renders the script, touching nothing', async () => {
    const config = nftConfig((c) => (c.dryRun = true));
    const { sys } = system({}, []);
    const warnings: string[] = [];
    const result = await detectAndInstall(config, sys, { log: { info: () => undefined, warn: (m) => warnings.push(m) }, renderWarning: () => undefined });
    expect(result.rendered.nftables?.script).toBe(expected(config).script);
    expect(result.installed).toBeUndefined();
    expect(warnings.join('\n')).toMatch(/\[dry-run\]: --nftables needs the nft executable/);
    expect(sys.calls).toEqual([]);
  });
});
