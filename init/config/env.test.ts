// KUMA_TRANSPARENT_PROXY_* as envconfig v1.4.0 applies them in Kuma 2.13.10.
import { describe, expect, it } from 'vitest';
import { defaultConfig, type TransparentProxyConfig } from './config.ts';
import { applyEnvironment, type Environment } from './env.ts';
import { configFields } from './fields.ts';

function withEnv(env: Environment): TransparentProxyConfig {
  const config = defaultConfig();
  applyEnvironment(config, env);
  return config;
}

const P = 'KUMA_TRANSPARENT_PROXY_';

describe('environment variables', () => {
  it('maps every documented variable to its field', () => {
    const c = withEnv({
      [`${P}KUMA_DP_USER`]: 'kuma-dp',
      [`${P}REDIRECT_INBOUND_ENABLED`]: 'false',
      [`${P}REDIRECT_INBOUND_PORT`]: '16006',
      [`${P}REDIRECT_INBOUND_CHAIN_NAME`]: 'IN',
      [`${P}REDIRECT_OUTBOUND_REDIRECT_CHAIN_NAME`]: 'OUT_R',
      [`${P}REDIRECT_OUTBOUND_INCLUDE_PORTS`]: '80,443',
      [`${P}REDIRECT_OUTBOUND_EXCLUDE_PORTS`]: '22',
      [`${P}REDIRECT_OUTBOUND_INSERT_REDIRECT_INSTEAD_OF_APPEND`]: 't',
      [`${P}REDIRECT_DNS_CAPTURE_ALL`]: '1',
      [`${P}REDIRECT_DNS_SKIP_CONNTRACK_ZONE_SPLIT`]: 'TRUE',
      [`${P}REDIRECT_DNS_RESOLV_CONFIG_PATH`]: '/tmp/resolv.conf',
      [`${P}REDIRECT_VNET_NETWORKS`]: 'docker0:172.17.0.0/16,br+:172.18.0.0/16',
      [`${P}EBPF_CGROUP_PATH`]: '/cg',
      [`${P}DROP_INVALID_PACKETS`]: 'true',
      [`${P}VERBOSE`]: 'true',
      [`${P}DRY_RUN`]: 'true',
      [`${P}LOG_ENABLED`]: 'true',
      [`${P}LOG_LEVEL`]: '0x4',
      [`${P}WAIT`]: '010',
      [`${P}WAIT_INTERVAL`]: '1_000',
      [`${P}RETRY_MAX_RETRIES`]: '0',
      [`${P}RETRY_SLEEP_BETWEEN_RETRIES`]: '250ms',
      [`${P}STORE_FIREWALLD`]: 'true',
      [`${P}IPTABLES_EXECUTABLES`]: 'iptables:/x',
      [`${P}COMMENTS_DISABLED`]: 'true',
      [`${P}IP_FAMILY_MODE`]: 'IPv4',
      [`${P}CNI_MODE`]: 'true',
      [`${P}IPTABLES_MODE`]: 'nft',
    });
    const e = defaultConfig();
    e.kumaDPUser = 'kuma-dp';
    e.redirect.inbound.enabled = false;
    e.redirect.inbound.port = 16006;
    e.redirect.inbound.chainName = 'IN';
    e.redirect.outbound.redirectChainName = 'OUT_R';
    e.redirect.outbound.includePorts = [80, 443];
    e.redirect.outbound.excludePorts = [22];
    e.redirect.outbound.insertRedirectInsteadOfAppend = true;
    e.redirect.dns.captureAll = true;
    e.redirect.dns.skipConntrackZoneSplit = true;
    e.redirect.dns.resolvConfigPath = '/tmp/resolv.conf';
    e.redirect.vnet.networks = ['docker0:172.17.0.0/16', 'br+:172.18.0.0/16'];
    e.ebpf.cgroupPath = '/cg';
    Object.assign(e, { dropInvalidPackets: true, verbose: true, dryRun: true, wait: 8, waitInterval: 1000, storeFirewalld: true, cniMode: true });
    e.log = { enabled: true, level: 4 };
    e.retry = { maxRetries: 0, sleepBetweenRetries: 250 };
    e.iptablesExecutables.iptables = '/x';
    e.comments.disabled = true;
    e.ipFamilyMode = 'ipv4';
    e.iptablesMode = 'nft';
    expect(c).toEqual(e);
  });

  it('falls back to the unprefixed name of tagged fields; the prefixed one wins', () => {
    expect(withEnv({ KUMA_DP_USER: 'a' }).kumaDPUser).toBe('a');
    expect(withEnv({ KUMA_DP_USER: 'a', [`${P}KUMA_DP_USER`]: 'b' }).kumaDPUser).toBe('b');
    expect(withEnv({ IP_FAMILY_MODE: 'ipv4' }).ipFamilyMode).toBe('ipv4');
    expect(withEnv({ CNI_MODE: 'true' }).cniMode).toBe(true);
    expect(withEnv({ INSTANCE_IP: '10.0.0.9', BPFFS_PATH: '/b', TC_ATTACH_IFACE: 'eth0' }).ebpf).toMatchObject({
      instanceIP: '10.0.0.9',
      bpffsPath: '/b',
      tcAttachIface: 'eth0',
    });
    expect(withEnv({ IPTABLES_EXECUTABLES: 'ip6tables:/y' }).iptablesExecutables.ip6tables).toBe('/y');
    // Fields without a tag have no fallback.
    expect(withEnv({ VERBOSE: 'true', WAIT: '9' })).toEqual(defaultConfig());
  });

  it('feeds the unprefixed EXCLUDE_PORTS_FOR_* to inbound and outbound alike', () => {
    const c = withEnv({ EXCLUDE_PORTS_FOR_IPS: '10.0.0.1', EXCLUDE_PORTS_FOR_UIDS: '0' });
    expect(c.redirect.inbound.excludePortsForIPs).toEqual(['10.0.0.1']);
    expect(c.redirect.outbound.excludePortsForIPs).toEqual(['10.0.0.1']);
    expect(c.redirect.inbound.excludePortsForUIDs).toEqual(['0']);
    expect(c.redirect.outbound.excludePortsForUIDs).toEqual(['0']);
  });

  it('splits lists on commas without trimming, which breaks comma lists inside UID rules', () => {
    const c = withEnv({ [`${P}REDIRECT_OUTBOUND_EXCLUDE_PORTS_FOR_UIDS`]: '53,3000-5000:106-108', [`${P}REDIRECT_VNET_NETWORKS`]: ' ' });
    expect(c.redirect.outbound.excludePortsForUIDs).toEqual(['53', '3000-5000:106-108']);
    expect(c.redirect.vnet.networks).toEqual([]);
    expect(withEnv({ [`${P}REDIRECT_OUTBOUND_EXCLUDE_PORTS_FOR_IPS`]: '10.0.0.1, 10.0.0.2' }).redirect.outbound.excludePortsForIPs).toEqual([
      '10.0.0.1',
      ' 10.0.0.2',
    ]);
  });

  it('an empty value is a value: strings become empty, booleans fail', () => {
    expect(withEnv({ [`${P}REDIRECT_DNS_RESOLV_CONFIG_PATH`]: '' }).redirect.dns.resolvConfigPath).toBe('');
    expect(() => withEnv({ [`${P}VERBOSE`]: '' })).toThrow(
      `processing environment variables failed: envconfig.Process: assigning ${P}VERBOSE to Verbose: converting '' to type bool. details: strconv.ParseBool: parsing "": invalid syntax`,
    );
  });

  it.each([
    ['REDIRECT_INBOUND_PORT', '0', 'Port', 'config.Port', "value '0' is not a valid port (uint16 in the range [1, 65535])"],
    ['REDIRECT_OUTBOUND_EXCLUDE_PORTS', '1,x', 'ExcludePorts', 'config.Ports', "value 'x' is not a valid port (uint16 in the range [1, 65535])"],
    ['WAIT', '-1', 'Wait', 'uint', 'strconv.ParseUint: parsing "-1": invalid syntax'],
    ['LOG_LEVEL', '65536', 'Level', 'uint16', 'strconv.ParseUint: parsing "65536": value out of range'],
    ['RETRY_SLEEP_BETWEEN_RETRIES', '2', 'SleepBetweenRetries', 'types.Duration', 'time: missing unit in duration "2"'],
    ['IP_FAMILY_MODE', 'ipv6', 'IPFamilyMode', 'config.IPFamilyMode', "must be one of 'dualstack' or 'ipv4'"],
    ['IPTABLES_EXECUTABLES', 'nope', 'Executables', 'config.Executables', "invalid format in 'nope'"],
  ])('%s=%s fails with envconfig message', (name, value, field, type, details) => {
    expect(() => withEnv({ [P + name]: value })).toThrow(
      `processing environment variables failed: envconfig.Process: assigning ${P}${name} to ${field}: converting '${value}' to type ${type}. details: ${details}`,
    );
  });

  it('names the prefixed key even when the value came from the unprefixed fallback', () => {
    expect(() => withEnv({ IP_FAMILY_MODE: 'x' })).toThrow(`assigning ${P}IP_FAMILY_MODE to IPFamilyMode`);
  });

  it('processes fields in Go struct order, so the first bad field is reported', () => {
    expect(() => withEnv({ [`${P}WAIT`]: 'x', [`${P}REDIRECT_INBOUND_PORT`]: '0' })).toThrow('REDIRECT_INBOUND_PORT');
  });

  it('covers every field that has an env var exactly once', () => {
    const names = configFields.flatMap((f) => (f.env ? [f.env] : []));
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBe(configFields.filter((f) => f.env).length);
  });
});
