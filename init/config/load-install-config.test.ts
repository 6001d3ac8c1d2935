// loadInstallConfig: every flag of `kumactl install transparent-proxy` 2.13.10,
// Kuma's two-pass precedence, config sources, env quirks, Kuma's error cases,
// the command lines Kuma's own injector passes, and our two refusals.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { conformanceDir, missingConformance } from '../../test-support/environment.ts';
import { defaultConfig, type TransparentProxyConfig } from './config.ts';
import { ConfigError } from './errors.ts';
import { setAt } from './fields.ts';
import { loadInstallConfig, type InstallInputs } from './load-install-config.ts';
import { FlagSyntaxError } from './pflag.ts';
import { dryRunNonRootWarning } from './privileges.ts';
import { EXCLUDE_FOR_UIDS_ERROR_CASES, OUTBOUND_CONFIG_CHAIN, UIDS_PARSE_FAILED } from '../../test-support/init/kumactl-goldens.ts';

function inputs(argv: string[], overrides: Partial<InstallInputs> & { files?: Record<string, string> } = {}): InstallInputs {
  const { files = {}, ...rest } = overrides;
  return {
    argv,
    env: {},
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
    readStdin: () => '',
    euid: 0,
    platform: 'linux',
    ...rest,
  };
}

type Overrides = Parameters<typeof inputs>[1];

function load(argv: string[], overrides?: Overrides) {
  const result = loadInstallConfig(inputs(argv, overrides));
  if (result.kind !== 'config') throw new Error('expected a config');
  return result;
}
const configOf = (argv: string[], overrides?: Overrides) => load(argv, overrides).config;

function errorOf(argv: string[], overrides?: Overrides): ConfigError {
  try {
    loadInstallConfig(inputs(argv, overrides));
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** The default config with some paths changed. */
function defaultsWith(changes: Record<string, unknown>): TransparentProxyConfig {
  const c = defaultConfig();
  for (const [path, value] of Object.entries(changes)) setAt(c, path.split('.'), value);
  return c;
}

describe('every install flag sets its field and nothing else', () => {
  it.each<[string[], Record<string, unknown>]>([
    [['--dry-run'], { dryRun: true }],
    [['--verbose'], { verbose: true }],
    [['--ip-family-mode', 'ipv4'], { ipFamilyMode: 'ipv4' }],
    [['--ip-family-mode=IPv4'], { ipFamilyMode: 'ipv4' }],
    [['--redirect-outbound-port', '12345'], { 'redirect.outbound.port': 12345 }],
    [['--redirect-inbound=false'], { 'redirect.inbound.enabled': false }],
    [['--redirect-inbound-port=12346'], { 'redirect.inbound.port': 12346 }],
    [['--exclude-inbound-ports', '1000,1001'], { 'redirect.inbound.excludePorts': [1000, 1001] }],
    [['--exclude-outbound-ports', '2000, 2001'], { 'redirect.outbound.excludePorts': [2000, 2001] }],
    [['--exclude-outbound-ports', '1', '--exclude-outbound-ports', '2'], { 'redirect.outbound.excludePorts': [2] }],
    [['--kuma-dp-user', 'root'], { kumaDPUser: 'root' }],
    [['--kuma-dp-uid', '1234'], { kumaDPUser: '1234' }],
    [['--kuma-dp-uid', '1', '--kuma-dp-user', '2'], { kumaDPUser: '2' }],
    [['--redirect-dns'], { 'redirect.dns.enabled': true }],
    [['--redirect-all-dns-traffic'], { 'redirect.dns.captureAll': true, 'redirect.dns.enabled': true }],
    [['--redirect-dns-port', '12345'], { 'redirect.dns.port': 12345 }],
    [['--store-firewalld'], { storeFirewalld: true }],
    [['--skip-dns-conntrack-zone-split'], { 'redirect.dns.skipConntrackZoneSplit': true }],
    [['--drop-invalid-packets'], { dropInvalidPackets: true }],
    [['--ebpf-programs-source-path', '/p'], { 'ebpf.programsSourcePath': '/p' }],
    [['--ebpf-instance-ip', '10.0.0.1'], { 'ebpf.instanceIP': '10.0.0.1' }],
    [['--ebpf-bpffs-path=/sys/fs/bpf'], { 'ebpf.bpffsPath': '/sys/fs/bpf' }],
    [['--ebpf-cgroup-path', '/cg'], { 'ebpf.cgroupPath': '/cg' }],
    [['--ebpf-tc-attach-iface', 'eth0'], { 'ebpf.tcAttachIface': 'eth0' }],
    [['--ebpf-enabled=false'], {}],
    [['--exclude-outbound-ports-for-uids', '1', '--exclude-outbound-ports-for-uids', 'tcp:22:2'], { 'redirect.outbound.excludePortsForUIDs': ['1', 'tcp:22:2'] }],
    [['--vnet', 'docker0:172.17.0.0/16', '--vnet=br+:::1/64'], { 'redirect.vnet.networks': ['docker0:172.17.0.0/16', 'br+:::1/64'] }],
    [['--wait', '0'], { wait: 0 }],
    [['--wait-interval', '0x10'], { waitInterval: 16 }],
    [['--max-retries', '1'], { 'retry.maxRetries': 1 }],
    [['--sleep-between-retries', '"500ms"'], { 'retry.sleepBetweenRetries': 500 }],
    [['--sleep-between-retries', '2000000000'], { 'retry.sleepBetweenRetries': 2000 }],
    [['--iptables-logs'], { 'log.enabled': true }],
    [['--disable-comments'], { 'comments.disabled': true }],
    [['--exclude-inbound-ips', '10.0.0.1,fe80::1', '--exclude-inbound-ips', '192.168.0.0/16'], { 'redirect.inbound.excludePortsForIPs': ['10.0.0.1,fe80::1', '192.168.0.0/16'] }],
    [['--exclude-outbound-ips', '172.32.16.8/16'], { 'redirect.outbound.excludePortsForIPs': ['172.32.16.8/16'] }],
    [['--redirect-inbound-insert-instead-of-append'], { 'redirect.inbound.insertRedirectInsteadOfAppend': true }],
    [['--redirect-outbound-insert-instead-of-append'], { 'redirect.outbound.insertRedirectInsteadOfAppend': true }],
    [['--iptables-executables', 'iptables:/a,iptables-save:/b', '--iptables-executables', 'iptables-restore:/c'], { 'iptablesExecutables.iptables': '/a', 'iptablesExecutables.iptables-save': '/b', 'iptablesExecutables.iptables-restore': '/c' }],
    [['--iptables-mode', 'legacy'], { iptablesMode: 'legacy' }],
    [['--iptables-mode=nft'], { iptablesMode: 'nft' }],
    // kumactl's inherited global flags are accepted and have no effect
    [['--log-level', 'debug', '--no-config', '--api-timeout=1m', '--context', 'x'], {}],
    // positional arguments are ignored, as cobra does for this command
    [['extra', '--verbose', 'words'], { verbose: true }],
  ])('%j', (argv, changes) => {
    expect(configOf(argv)).toEqual(defaultsWith(changes));
  });

  it('warns about deprecated flags as pflag does', () => {
    expect(load(['--kuma-dp-uid', '1']).warnings).toEqual([
      'Flag --kuma-dp-uid has been deprecated, please use --kuma-dp-user, which accepts both UIDs and usernames',
    ]);
    expect(load(['--config-file', '']).warnings).toEqual(['Flag --config-file has been deprecated, please use --config']);
  });

  it('--help and -h ask for help before anything is checked', () => {
    expect(loadInstallConfig(inputs(['--help'], { euid: 1000 })).kind).toBe('help');
    expect(loadInstallConfig(inputs(['--redirect-inbound-port', '0', '-h'])).kind).toBe('help');
  });
});

describe("Kuma's bad-flag errors", () => {
  it.each([
    [['--redirect-inbound-port', '0'], `invalid argument "0" for "--redirect-inbound-port" flag: value '0' is not a valid port (uint16 in the range [1, 65535])`],
    [['--redirect-outbound-port=65536'], `invalid argument "65536" for "--redirect-outbound-port" flag: value '65536' is not a valid port (uint16 in the range [1, 65535])`],
    [['--exclude-inbound-ports', '1,x'], `invalid argument "1,x" for "--exclude-inbound-ports" flag: value 'x' is not a valid port (uint16 in the range [1, 65535])`],
    [['--ip-family-mode', 'ipv6'], `invalid argument "ipv6" for "--ip-family-mode" flag: must be one of 'dualstack' or 'ipv4'`],
    [['--redirect-dns=maybe'], 'strconv.ParseBool: parsing "maybe": invalid syntax'],
    [['--verbose=maybe'], `invalid argument "maybe" for "--verbose" flag: strconv.ParseBool: parsing "maybe": invalid syntax`],
    [['--wait', '-1'], `invalid argument "-1" for "--wait" flag: strconv.ParseUint: parsing "-1": invalid syntax`],
    [['--sleep-between-retries', '2s'], `invalid argument "2s" for "--sleep-between-retries" flag: invalid character 's' after top-level value`],
    [['--sleep-between-retries', 'abc'], `invalid argument "abc" for "--sleep-between-retries" flag: invalid character 'a' looking for beginning of value`],
    [['--sleep-between-retries', '"2"'], `invalid argument "\\"2\\"" for "--sleep-between-retries" flag: time: missing unit in duration "2"`],
    [['--iptables-executables', 'ip:/x'], `invalid argument "ip:/x" for "--iptables-executables" flag: unsupported executable name 'ip'`],
    [['--iptables-mode', 'auto2'], `invalid argument "auto2" for "--iptables-mode" flag: must be one of 'auto', 'legacy' or 'nft'`],
    [['--api-timeout', 'x'], `invalid argument "x" for "--api-timeout" flag: time: invalid duration "x"`],
  ])('%j → %s', (argv, message) => {
    expect(errorOf(argv).message).toContain(message);
  });

  it.each([
    [['--foo'], 'unknown flag: --foo'],
    [['--dry-run', '--foo=bar'], 'unknown flag: --foo'],
    [['-x'], "unknown shorthand flag: 'x' in -x"],
    [['--redirect-inbound-port'], 'flag needs an argument: --redirect-inbound-port'],
  ])('%j is a command-line syntax error: %s', (argv, message) => {
    const error = errorOf(argv);
    expect(error).toBeInstanceOf(FlagSyntaxError);
    expect(error.message).toBe(message);
  });

  it('unknown flags win over bad values (first pass), bad values are reported in argument order (second pass)', () => {
    expect(errorOf(['--wait', 'x', '--foo']).message).toBe('unknown flag: --foo');
    expect(errorOf(['--wait', 'x', '--max-retries', 'y']).message).toContain('"--wait"');
  });

  it('the DNS conflict sees only the command line', () => {
    expect(errorOf(['--redirect-dns', '--redirect-all-dns-traffic']).message).toBe(
      "only one of '--redirect-dns' or '--redirect-all-dns-traffic' should be specified",
    );
    const files = { 'c.yaml': 'redirect: {dns: {enabled: true, captureAll: true}}' };
    expect(configOf(['--config', 'c.yaml'], { files }).redirect.dns).toMatchObject({ enabled: true, captureAll: true });
  });

  it.each(EXCLUDE_FOR_UIDS_ERROR_CASES)('--exclude-outbound-ports-for-uids %s fails with the full Kuma chain', (value, message) => {
    expect(errorOf(['--dry-run', '--kuma-dp-user', 'root', '--exclude-outbound-ports-for-uids', value]).message).toBe(
      `${OUTBOUND_CONFIG_CHAIN}${UIDS_PARSE_FAILED}${message}`,
    );
  });

  it('refuses a port range iptables would refuse with the full chain, naming the entry (our deviation)', () => {
    expect(errorOf(['--kuma-dp-user', 'root', '--exclude-outbound-ports-for-uids', 'tcp:8080-8080:1000']).message).toBe(
      `${OUTBOUND_CONFIG_CHAIN}${UIDS_PARSE_FAILED}port range '8080-8080' in 'tcp:8080-8080:1000' is a single port, which iptables' multiport match refuses as a range: write '8080'`,
    );
  });

  it('reports vnet and IP exclusion errors with the chain of the step that parses them', () => {
    expect(errorOf(['--vnet', 'docker0']).message).toBe(
      'failed to initialize config: unable to initialize IPv4 redirect configuration: unable to initialize .VNet: invalid virtual network definition: docker0',
    );
    expect(errorOf(['--exclude-inbound-ips', '']).message).toBe(
      'failed to initialize config: unable to initialize IPv4 redirect configuration: unable to initialize .Inbound: parsing excluded outbound ports for IPs failed: invalid exclusion rule: the rule cannot be empty',
    );
    expect(errorOf(['--exclude-outbound-ips', 'fe80::zz']).message).toContain("unable to initialize .Outbound: parsing excluded outbound ports for IPs failed: invalid exclusion rule: invalid IP address: 'fe80::zz'");
  });
});

describe('OS and privilege checks', () => {
  it('refuses a real run without root, warns on a dry run without root', () => {
    expect(errorOf([], { euid: 1000 }).message).toBe('you need to have root privileges to run this command');
    expect(load(['--dry-run'], { euid: 1000 }).warnings).toEqual([dryRunNonRootWarning]);
    expect(load(['--dry-run']).warnings).toEqual([]);
  });

  it('refuses other systems unless dry-run', () => {
    expect(errorOf([], { platform: 'darwin' }).message).toBe('transparent proxy is supported only on Linux systems');
    expect(load(['--dry-run'], { platform: 'darwin', euid: 1000 }).warnings).toEqual([]);
  });

  it('checks before config files, so dry-run from a file does not lift the root requirement', () => {
    const files = { 'c.yaml': 'dryRun: true' };
    expect(errorOf(['--config', 'c.yaml'], { files, euid: 1000 }).message).toBe('you need to have root privileges to run this command');
    expect(configOf(['--config', 'c.yaml'], { files }).dryRun).toBe(true);
  });
});

describe('precedence: defaults < config sources in order < env (after each source) < flags', () => {
  const files = {
    'a.yaml': 'wait: 7\nredirect: {outbound: {excludePorts: [1, 2], excludePortsForUIDs: ["tcp:1:1"]}}\n',
    'b.yaml': 'wait: 9\nredirect: {outbound: {excludePorts: [3]}}\n',
  };
  const env = { KUMA_TRANSPARENT_PROXY_WAIT: '8' };

  it('later config sources override earlier ones; lists replace', () => {
    const c = configOf(['--config', 'a.yaml', '--config', 'b.yaml'], { files });
    expect(c.wait).toBe(9);
    expect(c.redirect.outbound.excludePorts).toEqual([3]);
    expect(c.redirect.outbound.excludePortsForUIDs).toEqual(['tcp:1:1']);
  });

  it('env vars are applied after each source, so they beat every file', () => {
    expect(configOf(['--config', 'a.yaml', '--config', 'b.yaml'], { files, env }).wait).toBe(8);
  });

  it('env vars are not read without a config source (blank sources do not count)', () => {
    expect(configOf([], { env }).wait).toBe(5);
    expect(configOf(['--config', ''], { env }).wait).toBe(5);
    expect(configOf(['--config', ' - '], { env }).wait).toBe(8);
  });

  it('flags beat env and files, and a repeated flag array replaces the file list', () => {
    const c = configOf(['--wait', '10', '--config', 'a.yaml', '--exclude-outbound-ports-for-uids', 'udp:53:2'], { files, env });
    expect(c.wait).toBe(10);
    expect(c.redirect.outbound.excludePortsForUIDs).toEqual(['udp:53:2']);
    expect(c.redirect.outbound.excludePorts).toEqual([1, 2]);
  });

  it('loads the deprecated --config-file before every --config, wherever it appears', () => {
    expect(configOf(['--config', 'b.yaml', '--config-file', 'a.yaml'], { files }).wait).toBe(9);
    expect(configOf(['--config-file=b.yaml', '--config-file=a.yaml'], { files }).wait).toBe(7);
  });

  it('reads `-` from stdin, once', () => {
    let reads = 0;
    const readStdin = () => (reads++ === 0 ? 'kumaDPUser: from-stdin\nredirect: {dns: {captureAll: yes}}\n' : '');
    const c = configOf(['--config', '-', '--config', '-'], { readStdin });
    expect(c.kumaDPUser).toBe('from-stdin');
    expect(c.redirect.dns).toMatchObject({ captureAll: true, enabled: true });
    expect(reads).toBe(2);
  });

  it('reports missing, unreadable and invalid sources with Kuma messages', () => {
    expect(errorOf(['--config', 'missing.yaml']).message).toBe(
      "failed to load configuration from provided input: unable to access configuration file 'missing.yaml', please check if the file exists and has the correct permissions",
    );
    const readFile = () => {
      throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    };
    expect(errorOf(['--config', '/tmp'], { readFile }).message).toBe(
      "failed to load configuration from provided input: reading configuration from file '/tmp' failed: read /tmp: is a directory",
    );
    const denied = () => {
      throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
    };
    expect(errorOf(['--config', '/secret.yaml'], { readFile: denied }).message).toBe(
      "failed to load configuration from provided input: reading configuration from file '/secret.yaml' failed: open /secret.yaml: permission denied",
    );
    expect(errorOf(['--config', 'bad.yaml'], { files: { 'bad.yaml': 'wait: x' } }).message).toBe(
      "failed to load configuration from provided input: parsing configuration from file 'bad.yaml' failed: unable to parse configuration: error unmarshaling JSON: json: cannot unmarshal string into Go struct field Config.wait of type uint",
    );
    expect(errorOf(['--config', '-'], { readStdin: () => 'ipFamilyMode: x' }).message).toBe(
      "failed to load configuration from provided input: unable to parse configuration: error unmarshaling JSON: value 'x' is not a valid IPFamilyMode: must be one of 'dualstack' or 'ipv4'",
    );
    expect(errorOf(['--config', 'a.yaml'], { files, env: { KUMA_TRANSPARENT_PROXY_VERBOSE: 'x' } }).message).toBe(
      "failed to load configuration from provided input: parsing configuration from file 'a.yaml' failed: processing environment variables failed: envconfig.Process: assigning KUMA_TRANSPARENT_PROXY_VERBOSE to Verbose: converting 'x' to type bool. details: strconv.ParseBool: parsing \"x\": invalid syntax",
    );
  });

  it('merges iptables executables per name across file, env and flag', () => {
    const c = configOf(['--config', 'x.yaml', '--iptables-executables', 'iptables-restore:/flag'], {
      files: { 'x.yaml': 'iptablesExecutables: {iptables: /file}' },
      env: { KUMA_TRANSPARENT_PROXY_IPTABLES_EXECUTABLES: 'iptables-save:/env' },
    });
    expect(c.iptablesExecutables).toMatchObject({ iptables: '/file', 'iptables-save': '/env', 'iptables-restore': '/flag' });
  });
});

describe('deliberate deviations from Kuma 2.13.10', () => {
  it('accepts every --ebpf-* flag but refuses eBPF mode from a flag, a config source or the env', () => {
    const refusal = /eBPF mode cannot work in Kuma 2\.13.*remove --ebpf-enabled/;
    expect(errorOf(['--ebpf-enabled', '--ebpf-instance-ip', '10.0.0.1']).message).toMatch(refusal);
    expect(errorOf(['--config', 'e.yaml'], { files: { 'e.yaml': 'ebpf: {enabled: true}' } }).message).toMatch(refusal);
    expect(configOf(['--config', ''], { env: { KUMA_TRANSPARENT_PROXY_EBPF_ENABLED: 'true' } }).ebpf.enabled).toBe(false);
    expect(errorOf(['--config', '-'], { env: { KUMA_TRANSPARENT_PROXY_EBPF_ENABLED: 'true' } }).message).toMatch(refusal);
  });

  it('refuses inbound excludePortsForUIDs (Kuma renders an unconditional RETURN)', () => {
    const message = errorOf(['--config', '-'], { readStdin: () => 'redirect: {inbound: {excludePortsForUIDs: ["tcp:80:1000"]}}' }).message;
    expect(message).toMatch(/^redirect\.inbound\.excludePortsForUIDs is not supported: .*silently disables all inbound redirection/);
    expect(errorOf(['--config', '-'], { env: { EXCLUDE_PORTS_FOR_UIDS: '1000' } }).message).toContain('EXCLUDE_PORTS_FOR_UIDS');
  });

  it('treats --ip-family-mode IPv4 as IPv4 (Kuma keeps the case and then runs dual-stack)', () => {
    expect(configOf(['--ip-family-mode', 'IPv4']).ipFamilyMode).toBe('ipv4');
  });
});

describe("the command lines Kuma 2.13's injector gives kuma-init (AsKumactlCommandLine)", () => {
  it.each<[string[], Record<string, unknown>]>([
    [['--exclude-inbound-ports=9000', '--verbose'], { 'redirect.inbound.excludePorts': [9000], verbose: true }],
    [
      ['--exclude-inbound-ports=9001', '--redirect-all-dns-traffic', '--verbose'],
      { 'redirect.inbound.excludePorts': [9001], 'redirect.dns.captureAll': true, 'redirect.dns.enabled': true, verbose: true },
    ],
    [
      ['--redirect-all-dns-traffic', '--redirect-dns-port=25053', '--verbose'],
      { 'redirect.dns.captureAll': true, 'redirect.dns.enabled': true, 'redirect.dns.port': 25053, verbose: true },
    ],
    [['--redirect-inbound=false', '--verbose'], { 'redirect.inbound.enabled': false, verbose: true }],
    [['--ip-family-mode=ipv4', '--verbose'], { ipFamilyMode: 'ipv4', verbose: true }],
    [
      ['--exclude-outbound-ports=4321,7654', '--exclude-inbound-ports=1234,5678', '--verbose'],
      { 'redirect.outbound.excludePorts': [4321, 7654], 'redirect.inbound.excludePorts': [1234, 5678], verbose: true },
    ],
    [
      ['--exclude-outbound-ips=10.0.0.1,172.16.0.0/16,fe80::1,fe80::/10', '--exclude-inbound-ports=9000', '--verbose'],
      { 'redirect.outbound.excludePortsForIPs': ['10.0.0.1,172.16.0.0/16,fe80::1,fe80::/10'], 'redirect.inbound.excludePorts': [9000], verbose: true },
    ],
    [
      // every flag AsKumactlCommandLine can emit, in its order
      [
        '--kuma-dp-user=1234',
        '--ip-family-mode=ipv4',
        '--redirect-outbound-port=15002',
        '--exclude-outbound-ports=1,2',
        '--exclude-outbound-ips=10.0.0.1,fe80::1',
        '--exclude-outbound-ports-for-uids=tcp:22:1000',
        '--exclude-outbound-ports-for-uids=udp:53:1001-1002',
        '--redirect-inbound-port=15007',
        '--exclude-inbound-ports=9000,9001',
        '--exclude-inbound-ips=192.168.0.0/16',
        '--redirect-all-dns-traffic',
        '--redirect-dns-port=15054',
        '--drop-invalid-packets',
        '--iptables-logs',
        '--verbose',
      ],
      {
        kumaDPUser: '1234',
        ipFamilyMode: 'ipv4',
        'redirect.outbound.port': 15002,
        'redirect.outbound.excludePorts': [1, 2],
        'redirect.outbound.excludePortsForIPs': ['10.0.0.1,fe80::1'],
        'redirect.outbound.excludePortsForUIDs': ['tcp:22:1000', 'udp:53:1001-1002'],
        'redirect.inbound.port': 15007,
        'redirect.inbound.excludePorts': [9000, 9001],
        'redirect.inbound.excludePortsForIPs': ['192.168.0.0/16'],
        'redirect.dns.captureAll': true,
        'redirect.dns.enabled': true,
        'redirect.dns.port': 15054,
        dropInvalidPackets: true,
        'log.enabled': true,
        verbose: true,
      },
    ],
  ])('%j', (argv, changes) => {
    // the injected init container runs as root and is not a dry run
    expect(load(argv)).toEqual({ kind: 'config', config: defaultsWith(changes), warnings: [] });
  });

  // Read inside the test: collecting tests must not touch the conformance data (absent in a fresh clone).
  it.skipIf(missingConformance('injector'))("every kuma-init in Kuma's injector goldens parses (eBPF lines are refused)", () => {
    const injectorDir = join(conformanceDir(), 'injector');
    const argLists = new Map<string, string[]>();
    for (const file of readdirSync(injectorDir).filter((f) => f.endsWith('.golden.yaml'))) {
      const pod = parse(readFileSync(join(injectorDir, file), 'utf8')) as { spec?: { initContainers?: Array<{ name: string; args?: string[] }> } };
      for (const c of pod?.spec?.initContainers ?? []) if (c.name === 'kuma-init') argLists.set(JSON.stringify(c.args ?? []), c.args ?? []);
    }
    expect(argLists.size).toBeGreaterThan(5);
    for (const [line, argv] of argLists) {
      if (argv.includes('--ebpf-enabled')) expect(errorOf(argv).message, line).toMatch(/eBPF mode cannot work/);
      else expect(load(argv).config.verbose, line).toBe(true);
    }
  });
});
