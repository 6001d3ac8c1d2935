// kuma-init as a real process in a fresh network namespace (unshare -n):
// Kuma 2.13.10's kumactl dry-run goldens through the whole CLI (flags → config
// → detected profile → rules → dry-run text), then a real install and uninstall.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { missingConformance, missingRootTools } from '../../test-support/environment.ts';
import { EXCLUDED_PORTS_FOR_UIDS_ARGS, kumactlGolden, normaliseKumactlOutput } from '../../test-support/init/kumactl-goldens.ts';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'kuma-init.js');

/** Runs shell `script` in a new network namespace with lo up; `$KUMA_INIT` is the CLI. */
function inFreshNetns(script: string) {
  const r = spawnSync('unshare', ['-n', 'sh', '-c', `ip link set lo up && ${script}`], {
    encoding: 'utf8',
    timeout: 50_000,
    env: { ...process.env, KUMA_INIT: `${process.execPath} ${bin}` },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Kuma's cases (dns.golden.txt is stale, tproxy spec §9.1; the conntrack case is pinned with --skip-dns-conntrack-zone-split).
const cases: Array<[string, string[]]> = [
  ['install-transparent-proxy.defaults.golden.txt', ['--kuma-dp-user', 'root']],
  ['install-transparent-proxy.defaults.golden.txt', ['--kuma-dp-user', '0']],
  [
    'install-transparent-proxy.overrides.golden.txt',
    ['--kuma-dp-user', 'root', '--redirect-outbound-port', '12345', '--redirect-inbound-port', '12346', '--exclude-outbound-ports', '2000,2001', '--exclude-inbound-ports', '1000,1001'],
  ],
  ['install-transparent-proxy.dns.no-conntrack.golden.txt', ['--kuma-dp-user', '0', '--redirect-all-dns-traffic', '--redirect-dns-port', '12345', '--skip-dns-conntrack-zone-split']],
  ['install-transparent-proxy.excludedports.txt', [...EXCLUDED_PORTS_FOR_UIDS_ARGS]],
  ['install-transparent-proxy.excludedports_wildcards.txt', ['--kuma-dp-user', 'root', '--exclude-outbound-ports-for-uids', '*:*:0']],
  ['install-transparent-proxy.excludedports_allprotos.txt', ['--kuma-dp-user', 'root', '--exclude-outbound-ports-for-uids', 'tcp:*:0']],
  ['install-transparent-proxy.excludedports_onlyuid.txt', ['--kuma-dp-user', 'root', '--exclude-outbound-ports-for-uids', '123']],
];

const quote = (args: string[]) => args.map((a) => `'${a}'`).join(' ');

describe.skipIf(missingRootTools('unshare', 'ip', 'iptables') || missingConformance('kumactl'))('kuma-init CLI in a fresh network namespace', () => {
  it.each(cases)('dry run reproduces %s for %j', (golden, args) => {
    const r = inFreshNetns(`$KUMA_INIT install transparent-proxy --dry-run --ip-family-mode ipv4 ${quote(args)}`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(normaliseKumactlOutput(r.stdout)).toBe(kumactlGolden(golden));
  });

  it('installs with the injector command line, then uninstall leaves no Kuma rule', () => {
    const r = inFreshNetns(
      [
        '$KUMA_INIT install transparent-proxy --kuma-dp-user=0 --ip-family-mode=ipv4 --exclude-inbound-ports=9000 --redirect-all-dns-traffic --verbose',
        'echo ===; iptables-save',
        '$KUMA_INIT uninstall transparent-proxy',
        'echo ===; iptables-save',
      ].join(' && '),
    );
    expect(r.code).toBe(0);
    const [installLog = '', installed = '', , afterUninstall = ''] = r.stdout.split('===\n');
    expect(installLog).toContain('# transparent proxy setup completed successfully');
    expect(installed).toMatch(/-A KUMA_MESH_INBOUND -p tcp .*-m tcp --dport 9000 -j RETURN/);
    expect(installed).toMatch(/--dport 53 -j REDIRECT --to-ports 15053/);
    expect(afterUninstall).not.toContain('KUMA_MESH');
    expect(afterUninstall).not.toContain('kuma/mesh/transparent/proxy');
  });

  it('install then uninstall leave every iptables-save (nft and legacy, both families) as it was: no table appears', () => {
    const saves = 'for s in iptables-nft-save iptables-legacy-save ip6tables-nft-save ip6tables-legacy-save; do echo "## $s"; $s | { grep -v "^#" || true; }; done';
    const r = inFreshNetns([saves, 'echo ===', '$KUMA_INIT install transparent-proxy --kuma-dp-user=0', 'echo ===', saves, 'echo ===', '$KUMA_INIT uninstall transparent-proxy', 'echo ===', saves].join(' && '));
    expect(r.code).toBe(0);
    const [before = '', , installed = '', , after] = r.stdout.split('===\n');
    expect(installed).toContain('KUMA_MESH');
    expect(before).toContain('## iptables-legacy-save');
    expect(after).toBe(before);
  });

  it("the validator, with the injector's arguments, passes after an install (kuma-dp UID 0 = this process)", () => {
    const r = inFreshNetns(
      [
        '$KUMA_INIT install transparent-proxy --kuma-dp-user=0 --ip-family-mode=ipv4 > /dev/null',
        '$KUMA_INIT install transparent-proxy-validator --config-file=/tmp/.kumactl --ip-family-mode=ipv4 --validation-server-port=15006',
      ].join(' && '),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('validation successful, iptables rules applied correctly');
  });

  it("an unknown kuma-dp user is a configuration error (exit 1) with kumactl's context", () => {
    const r = inFreshNetns('$KUMA_INIT install transparent-proxy --ip-family-mode ipv4 --kuma-dp-user no-such-user-kuma');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "Error: failed to initialize config: the specified UID or username ('no-such-user-kuma') does not refer to a valid user on the host\n",
    );
  });
});
