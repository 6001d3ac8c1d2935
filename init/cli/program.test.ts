// The kuma-init command tree: help, exit codes and stderr, as Kuma's
// install_transparent_proxy_test.go checks them (stderr `Error: <msg>\n`).
import { describe, expect, it } from 'vitest';
import { runCli } from './program.ts';
import { EXCLUDE_FOR_UIDS_ERROR_CASES, excludeForUidsStderr } from '../../test-support/init/kumactl-goldens.ts';
import { recordingIo } from '../../test-support/init/test-io.ts';

async function run(argv: string[], overrides = {}) {
  const io = recordingIo(overrides);
  const code = await runCli(argv, io);
  return { code, out: io.out, err: io.err };
}

describe('kuma-init command tree', () => {
  it.each([
    [['install', 'transparent-proxy', '--help'], '--redirect-inbound-port uint16'],
    [['install', 'transparent-proxy', '-h'], '--iptables-mode string'],
    [['uninstall', 'transparent-proxy', '--help'], '--ebpf-bpffs-path string'],
    [['install', 'transparent-proxy-validator', '-h'], '--validation-server-port uint16'],
    [['--help'], 'install'],
  ])('%j prints help and exits 0', async (argv, text) => {
    const r = await run(argv, { euid: 1000 });
    expect(r.code).toBe(0);
    expect(r.out).toContain(text);
    expect(r.err).toBe('');
  });

  it('exits 1 for unknown commands and a missing command', async () => {
    expect((await run(['bogus'])).code).toBe(1);
    expect((await run(['install'])).code).toBe(1);
    expect((await run([])).code).toBe(1);
  });
});

describe('install transparent-proxy errors (exit 1, Kuma text on one line)', () => {
  it("prints Kuma's exact DNS conflict error", async () => {
    const r = await run(['install', 'transparent-proxy', '--dry-run', '--kuma-dp-user', 'root', '--redirect-dns', '--redirect-all-dns-traffic']);
    expect(r).toEqual({ code: 1, out: '', err: "Error: only one of '--redirect-dns' or '--redirect-all-dns-traffic' should be specified\n" });
  });

  it.each(EXCLUDE_FOR_UIDS_ERROR_CASES)("Kuma's error case %s", async (value, message) => {
    const r = await run(['install', 'transparent-proxy', '--dry-run', '--kuma-dp-user', 'root', '--exclude-outbound-ports-for-uids', value]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(excludeForUidsStderr(message));
  });

  it('prints pflag value errors', async () => {
    const r = await run(['install', 'transparent-proxy', '--redirect-inbound-port=0']);
    expect(r).toEqual({
      code: 1,
      out: '',
      err: `Error: invalid argument "0" for "--redirect-inbound-port" flag: value '0' is not a valid port (uint16 in the range [1, 65535])\n`,
    });
  });

  it('prints syntax errors with a pointer to the flag list', async () => {
    const r = await run(['install', 'transparent-proxy', '--dry-run', '--foo']);
    expect(r).toEqual({
      code: 1,
      out: '',
      err: "Error: unknown flag: --foo\nRun 'kuma-init install transparent-proxy --help' for the list of flags.\n",
    });
  });

  it('refuses a real install without root, and eBPF', async () => {
    expect((await run(['install', 'transparent-proxy'], { euid: 1000 })).err).toBe('Error: you need to have root privileges to run this command\n');
    const ebpf = await run(['install', 'transparent-proxy', '--ebpf-enabled', '--ebpf-instance-ip=10.0.0.1']);
    expect(ebpf.code).toBe(1);
    expect(ebpf.err).toMatch(/^Error: eBPF mode cannot work in Kuma 2\.13.*remove --ebpf-enabled/);
  });

  it('reads --config - from stdin and fails on its content before touching the system', async () => {
    const r = await run(['install', 'transparent-proxy', '--config', '-'], { readStdin: () => 'redirect: {dns: {port: 0}}' });
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      "Error: failed to load configuration from provided input: unable to parse configuration: error unmarshaling JSON: value '0' is not a valid port (uint16 in the range [1, 65535])\n",
    );
  });
});

describe('uninstall transparent-proxy and the validator: flag errors', () => {
  it('uninstall uses pflag messages and the same privilege checks', async () => {
    const unknown = await run(['uninstall', 'transparent-proxy', '--redirect-dns']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^Error: unknown flag: --redirect-dns\n/);
    expect((await run(['uninstall', 'transparent-proxy', '--dry-run=x'])).err).toBe(
      'Error: invalid argument "x" for "--dry-run" flag: strconv.ParseBool: parsing "x": invalid syntax\n',
    );
    expect((await run(['uninstall', 'transparent-proxy'], { euid: 1000 })).err).toBe('Error: you need to have root privileges to run this command\n');
    expect((await run(['uninstall', 'transparent-proxy', '--ebpf-enabled'])).err).toMatch(/eBPF mode cannot work/);
  });

  it("the validator accepts the injector's flags and reports bad values with exit 1", async () => {
    const r = await run(['install', 'transparent-proxy-validator', '--config-file=/tmp/.kumactl', '--ip-family-mode=ipv6', '--validation-server-port=15055']);
    expect(r).toEqual({ code: 1, out: '', err: `Error: invalid argument "ipv6" for "--ip-family-mode" flag: must be one of 'dualstack' or 'ipv4'\n` });
    expect((await run(['install', 'transparent-proxy-validator', '--validation-server-port', '70000'])).err).toBe(
      'Error: invalid argument "70000" for "--validation-server-port" flag: strconv.ParseUint: parsing "70000": value out of range\n',
    );
    expect((await run(['install', 'transparent-proxy-validator', '--bogus'])).err).toMatch(/^Error: unknown flag: --bogus\n/);
  });
});
