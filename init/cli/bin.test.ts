// bin/kuma-init.js as a real process: help, a Kuma flag error, stdin config.
// (Paths that touch iptables run in cli.netns.test.ts.)
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'kuma-init.js');

function kumaInit(args: string[], input = '') {
  const r = spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bin/kuma-init.js', () => {
  it('prints the install help and exits 0', () => {
    const r = kumaInit(['install', 'transparent-proxy', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kuma-init install transparent-proxy [flags]');
    expect(r.stdout).toContain('--exclude-outbound-ports-for-uids stringArray');
    expect(r.stderr).toBe('');
  });

  it("exits 1 with Kuma's message for a bad flag value", () => {
    const r = kumaInit(['install', 'transparent-proxy', '--dry-run', '--redirect-inbound-port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Error: invalid argument "0" for "--redirect-inbound-port" flag: value '0' is not a valid port (uint16 in the range [1, 65535])\n`);
    expect(r.stdout).toBe('');
  });

  it('reads --config - from stdin', () => {
    const r = kumaInit(['install', 'transparent-proxy', '--dry-run', '--config', '-'], 'ipFamilyMode: ipv6\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "Error: failed to load configuration from provided input: unable to parse configuration: error unmarshaling JSON: value 'ipv6' is not a valid IPFamilyMode: must be one of 'dualstack' or 'ipv4'\n",
    );
  });
});
