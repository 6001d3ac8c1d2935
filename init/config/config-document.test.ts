// --config sources: sigs.k8s.io/yaml + encoding/json semantics of Kuma 2.13.10.
import { describe, expect, it } from 'vitest';
import { defaultConfig, type TransparentProxyConfig } from './config.ts';
import { applyConfigDocument } from './config-document.ts';

function load(text: string, base: TransparentProxyConfig = defaultConfig()): TransparentProxyConfig {
  applyConfigDocument(base, text);
  return base;
}

function failure(text: string): string {
  try {
    load(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a parse failure');
}

describe('YAML and JSON config documents', () => {
  it('reads nested keys and leaves everything else at its value', () => {
    const expected = defaultConfig();
    expected.redirect.inbound.port = 16006;
    expected.redirect.dns.enabled = true;
    expected.retry.sleepBetweenRetries = 1500;
    expected.log.level = 4;
    expect(load('redirect:\n  inbound:\n    port: 16006\n  dns: {enabled: true}\nretry:\n  sleepBetweenRetries: 1.5s\nlog: {level: 4}\n')).toEqual(
      expected,
    );
  });

  it('accepts JSON', () => {
    expect(load('{"kumaDPUser":"kuma-dp","wait":0,"redirect":{"outbound":{"enabled":false}}}')).toMatchObject({
      kumaDPUser: 'kuma-dp',
      wait: 0,
      redirect: { outbound: { enabled: false } },
    });
  });

  it('applies YAML 1.1: unquoted yes/no/on/off are booleans and become strings in string fields', () => {
    const c = load('verbose: yes\ndropInvalidPackets: on\nkumaDPUser: no\nredirect: {dns: {resolvConfigPath: off}}\n');
    expect(c.verbose).toBe(true);
    expect(c.dropInvalidPackets).toBe(true);
    expect(c.kumaDPUser).toBe('false');
    expect(c.redirect.dns.resolvConfigPath).toBe('false');
  });

  it('coerces numbers to strings in string fields and string lists (the golden test relies on it)', () => {
    const c = load('kumaDPUser: 5678\nredirect:\n  outbound:\n    excludePortsForUIDs: [1, "2-3:4-5", 1.5]\n');
    expect(c.kumaDPUser).toBe('5678');
    expect(c.redirect.outbound.excludePortsForUIDs).toEqual(['1', '2-3:4-5', '1.5']);
  });

  it('does not read sexagesimal numbers or timestamps (go-yaml v2 keeps them as strings)', () => {
    const c = load('redirect:\n  outbound:\n    excludePortsForUIDs: [80:10, 2001-12-14]\n');
    expect(c.redirect.outbound.excludePortsForUIDs).toEqual(['80:10', '2001-12-14']);
  });

  it('reads octal and hex integers as YAML 1.1 does', () => {
    expect(load('wait: 010\nwaitInterval: 0x10\n')).toMatchObject({ wait: 8, waitInterval: 16 });
  });

  it('accepts Ports as a list of numbers or strings, a number, or a comma string', () => {
    expect(load('redirect: {inbound: {excludePorts: [1, "2,3", true]}}').redirect.inbound.excludePorts).toEqual([1, 2, 3]);
    expect(load('redirect: {inbound: {excludePorts: 8080}}').redirect.inbound.excludePorts).toEqual([8080]);
    expect(load('redirect: {inbound: {includePorts: "80, 443"}}').redirect.inbound.includePorts).toEqual([80, 443]);
  });

  it('replaces lists instead of appending', () => {
    const first = load('redirect: {outbound: {excludePorts: [1, 2], excludePortsForIPs: [10.0.0.1]}}');
    const second = load('redirect: {outbound: {excludePorts: [3], excludePortsForIPs: []}}', first);
    expect(second.redirect.outbound.excludePorts).toEqual([3]);
    expect(second.redirect.outbound.excludePortsForIPs).toEqual([]);
  });

  it('ignores unknown keys and null values; matches keys case-insensitively', () => {
    const c = load('unknown: 1\nredirect: {inbound: {bogus: true}}\nwait: null\nVERBOSE: true\nKumaDpUser: root\n');
    expect(c).toEqual({ ...defaultConfig(), verbose: true, kumaDPUser: 'root' });
  });

  it('reads the flat iptablesExecutables keys and the kuma-init iptablesMode key', () => {
    const c = load('iptablesExecutables: {iptables: /x/iptables, ip6tables-save: /y}\niptablesMode: legacy\n');
    expect(c.iptablesExecutables).toMatchObject({ iptables: '/x/iptables', 'ip6tables-save': '/y', 'iptables-save': '' });
    expect(c.iptablesMode).toBe('legacy');
  });

  it('does not set env-only chain names from YAML', () => {
    expect(load('redirect: {inbound: {chainName: X}}').redirect.inbound.chainName).toBe('INBOUND');
  });

  it('treats an empty document as no change', () => {
    expect(load('')).toEqual(defaultConfig());
    expect(load('# only a comment\n')).toEqual(defaultConfig());
  });

  it.each([
    // Port: a quoted number reaches Port.UnmarshalJSON with its quotes
    ['redirect: {inbound: {port: "15001"}}', `error unmarshaling JSON: value '"15001"' is not a valid port (uint16 in the range [1, 65535])`],
    ['redirect: {dns: {port: 0}}', "error unmarshaling JSON: value '0' is not a valid port (uint16 in the range [1, 65535])"],
    ['redirect: {dns: {port: null}}', "error unmarshaling JSON: value 'null' is not a valid port (uint16 in the range [1, 65535])"],
    ['redirect: {inbound: {excludePorts: [0]}}', "error unmarshaling JSON: value '0' is not a valid port (uint16 in the range [1, 65535])"],
    ['ipFamilyMode: ipv6', "error unmarshaling JSON: value 'ipv6' is not a valid IPFamilyMode: must be one of 'dualstack' or 'ipv4'"],
    ['ipFamilyMode: 4', "error unmarshaling JSON: value '4' is not a valid IPFamilyMode: json: cannot unmarshal number into Go value of type string"],
    ['retry: {sleepBetweenRetries: 2x}', 'error unmarshaling JSON: time: unknown unit "x" in duration "2x"'],
    ['retry: {sleepBetweenRetries: true}', 'error unmarshaling JSON: invalid duration'],
    ['wait: "5"', 'error unmarshaling JSON: json: cannot unmarshal string into Go struct field Config.wait of type uint'],
    ['wait: -1', 'error unmarshaling JSON: json: cannot unmarshal number -1 into Go struct field Config.wait of type uint'],
    ['log: {level: 70000}', 'error unmarshaling JSON: json: cannot unmarshal number 70000 into Go struct field Log.log.level of type uint16'],
    ['redirect: {inbound: {enabled: "true"}}', 'error unmarshaling JSON: json: cannot unmarshal string into Go struct field TrafficFlow.redirect.inbound.enabled of type bool'],
    ['redirect: {vnet: {networks: "docker0:172.17.0.0/16"}}', 'error unmarshaling JSON: json: cannot unmarshal string into Go struct field VNet.redirect.vnet.networks of type []string'],
    ['redirect: [1]', 'error unmarshaling JSON: json: cannot unmarshal array into Go struct field Config.redirect of type config.Redirect'],
    ['just a string', 'error unmarshaling JSON: json: cannot unmarshal string into Go value of type config.Config'],
    ['iptablesMode: fast', "error unmarshaling JSON: value 'fast' is not a valid iptablesMode: must be one of 'auto', 'legacy' or 'nft'"],
  ])('%s → unable to parse configuration: %s', (text, message) => {
    expect(failure(text)).toBe(`unable to parse configuration: ${message}`);
  });

  it('reports a type mismatch after decoding the rest, but an Unmarshaler error at once', () => {
    expect(failure('wait: "5"\nverbose: maybe\n')).toContain('Config.verbose of type bool');
    expect(failure('redirect: {inbound: {port: 0}}\nwait: "5"\n')).toContain("value '0' is not a valid port");
  });

  it('reports YAML syntax errors', () => {
    expect(failure('redirect: {inbound: [}\n')).toMatch(/^unable to parse configuration: error converting YAML to JSON: /);
  });
});
