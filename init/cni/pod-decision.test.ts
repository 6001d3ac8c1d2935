// Kuma 2.13.10's skip rules and config sources for kuma-cni, with the legacy
// fallback's defaults and quirks (Kuma's annotations_linux_test.go cases 1–5
// are the first test).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conformanceDir, missingConformance } from '../../test-support/environment.ts';
import { CniError } from './errors.ts';
import { configFromLegacyAnnotations, intermediateConfig } from './legacy-annotations.ts';
import { parseCniArgs, parseLogLevel, parsePluginConf } from './plugin-config.ts';
import { CONFIG_ANNOTATION, decideBeforeFetch, decideForPod, type PodView } from './pod-decision.ts';
import { parseJsonObject } from './protocol.ts';

const injected = (annotations: Record<string, string> = {}, extra: Partial<PodView> = {}): PodView => ({
  containers: ['app', 'kuma-sidecar'],
  initContainers: [],
  annotations: new Map(Object.entries({ 'kuma.io/sidecar-injected': 'true', ...annotations })),
  ...extra,
});

function install(pod: PodView) {
  const decision = decideForPod(pod);
  if (decision.kind !== 'install') throw new Error(`expected install, got ${JSON.stringify(decision)}`);
  return decision;
}

const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof CniError) return error.message;
    throw error;
  }
  return 'no error';
};

describe('Kuma annotations_linux_test.go', () => {
  it('1–4: defaults and overrides of UID, ip family, inbound port', () => {
    expect(intermediateConfig(new Map()).noRedirectUID).toBe('5678');
    expect(intermediateConfig(new Map()).ipFamilyMode).toBe('dualstack');
    expect(intermediateConfig(new Map([['kuma.io/sidecar-uid', '1234']])).noRedirectUID).toBe('1234');
    expect(intermediateConfig(new Map([['kuma.io/transparent-proxying-inbound-port', '1234']])).inboundPort).toBe('1234');
  });
  it('5: the probe-proxy port joins the inbound excludes', () => {
    const ic = intermediateConfig(new Map([['kuma.io/application-probe-proxy-port', '19988'], ['traffic.kuma.io/exclude-inbound-ports', '3355']]));
    expect(ic.excludeInboundPorts).toBe('3355,19988');
  });
});

describe('our nftables extension on the legacy path', () => {
  it('is off without the annotation and on with traffic.kuma.io/nftables: "true"', () => {
    expect(configFromLegacyAnnotations(new Map()).nftables).toBe(false);
    expect(configFromLegacyAnnotations(new Map([['traffic.kuma.io/nftables', 'true']])).nftables).toBe(true);
  });
});

describe('skip rules', () => {
  it('before any API call: empty name or namespace, excluded namespace', () => {
    const args = { podName: 'p', podNamespace: 'kube-system', infraContainerId: '', ip: '' };
    expect(decideBeforeFetch({ ...args, podName: '' }, [])).toEqual({ kind: 'skip', reason: 'pod namespace or pod name is empty' });
    expect(decideBeforeFetch(args, ['kube-system'])).toEqual({ kind: 'skip', reason: 'namespace is in the exclude list' });
    expect(decideBeforeFetch(args, ['kuma-system'])).toEqual({ kind: 'fetch', namespace: 'kube-system', name: 'p' });
  });
  it('after the GET: kuma-init present, no kuma-sidecar, not injected', () => {
    expect(decideForPod(injected({}, { initContainers: ['kuma-init'] }))).toEqual({ kind: 'skip', reason: 'pod already injected with kuma-init container' });
    expect(decideForPod(injected({}, { containers: ['app'] }))).toEqual({ kind: 'skip', reason: 'missing required kuma-sidecar container' });
    expect(decideForPod(injected({ 'kuma.io/sidecar-injected': 'false' }))).toEqual({
      kind: 'skip',
      reason: "annotation 'kuma.io/sidecar-injected' is missing or is not set to 'true'",
    });
  });
  it('a native sidecar (kuma-sidecar among the init containers) is injected', () => {
    expect(install(injected({}, { containers: ['app'], initContainers: ['kuma-sidecar'] })).source).toBe('legacy-annotations');
  });
});

describe('legacy fallback (no config annotation)', () => {
  it('excludes 9901 both ways and the probe-proxy port inbound; cniMode and verbose on', () => {
    const { config } = install(injected());
    expect(config.redirect.outbound.excludePorts).toEqual([9901]);
    expect(config.redirect.inbound.excludePorts).toEqual([9901, 9001]);
    expect([config.cniMode, config.verbose, config.kumaDPUser]).toEqual([true, true, '5678']);
    expect(config.redirect.dns.enabled).toBe(false);
  });
  it('builtin DNS captures all DNS; a gateway has no inbound redirect', () => {
    const { config } = install(injected({ 'kuma.io/builtin-dns': 'enabled', 'kuma.io/builtin-dns-port': '15054', 'kuma.io/gateway': 'Enabled' }));
    expect([config.redirect.dns.enabled, config.redirect.dns.captureAll, config.redirect.dns.port]).toEqual([true, true, 15054]);
    expect(config.redirect.inbound.enabled).toBe(false);
  });
  it.each([
    [{ 'traffic.kuma.io/exclude-outbound-ports': '' }, 'could not inject rules into namespace: could not convert field 0: strconv.ParseUint: parsing "": invalid syntax'],
    [{ 'traffic.kuma.io/exclude-outbound-ports': '80, 81' }, 'could not inject rules into namespace: could not convert field 1: strconv.ParseUint: parsing " 81": invalid syntax'],
    [{ 'traffic.kuma.io/exclude-inbound-ports': '8x' }, 'pod intermediate config failed due to bad params: portList "8x": failed parsing port "8x": strconv.ParseUint: parsing "8x": invalid syntax'],
    [{ 'kuma.io/gateway': 'yes' }, 'could not inject rules into namespace: wrong value "yes", available values are: "enabled", "disabled", "true", "false"'],
    [{ 'kuma.io/transparent-proxying-ip-family-mode': 'ipv6' }, "could not inject rules into namespace: must be one of 'dualstack' or 'ipv4'"],
    [{ 'kuma.io/transparent-proxying-ip-family-mode': 'IPv4' }, "pod intermediate config failed due to bad params: value 'IPv4' is not a valid IP family mode"],
    [{ 'traffic.kuma.io/exclude-outbound-ips': ' ' }, 'pod intermediate config failed due to bad params: IPs cannot be empty'],
    [{ 'kuma.io/transparent-proxying-outbound-port': '0' }, "could not inject rules into namespace: failed to set outbound port to '0': value '0' is not a valid port (uint16 in the range [1, 65535])"],
    [{ 'kuma.io/transparent-proxying-inbound-port': '70000' }, 'pod intermediate config failed due to bad params: portList "70000": failed parsing port "70000": strconv.ParseUint: parsing "70000": value out of range'],
  ])('%o fails: %s', (annotations, message) => {
    expect(errorOf(() => decideForPod(injected(annotations)))).toBe(message);
  });
  it('an empty inbound exclude list works while the probe port fills it, fails with probe port 0', () => {
    expect(install(injected({ 'traffic.kuma.io/exclude-inbound-ports': '' })).config.redirect.inbound.excludePorts).toEqual([9001]);
    expect(errorOf(() => decideForPod(injected({ 'traffic.kuma.io/exclude-inbound-ports': '', 'kuma.io/application-probe-proxy-port': '0' })))).toContain(
      'could not convert field 0',
    );
  });
});

describe('config annotation', () => {
  it('is read over the defaults, without the legacy defaults', () => {
    const { config, source } = install(injected({ [CONFIG_ANNOTATION]: 'kumaDPUser: "5678"\nredirect:\n  dns:\n    enabled: true\n    captureAll: true\n' }));
    expect(source).toBe('config-annotation');
    expect(config.redirect.outbound.excludePorts).toEqual([]);
    expect([config.redirect.dns.enabled, config.cniMode, config.verbose]).toEqual([true, false, false]);
  });
  it("refuses what kuma-init refuses: eBPF and inbound UID exclusions", () => {
    expect(errorOf(() => decideForPod(injected({ [CONFIG_ANNOTATION]: 'ebpf:\n  enabled: true\n' })))).toMatch(/^failed to retrieve transparent proxy configuration: .*eBPF/i);
    expect(errorOf(() => decideForPod(injected({ [CONFIG_ANNOTATION]: 'redirect:\n  inbound:\n    excludePortsForUIDs: ["1000"]\n' })))).toContain(
      'redirect.inbound.excludePortsForUIDs is not supported',
    );
  });

  it('a bad document is a CNI error with Kuma wording', () => {
    expect(errorOf(() => decideForPod(injected({ [CONFIG_ANNOTATION]: 'redirect: [' })))).toMatch(
      /^failed to retrieve transparent proxy configuration: failed to load transparent proxy configuration from 'traffic.kuma.io\/transparent-proxy-config' annotation: unable to parse configuration: /,
    );
  });
});

describe('plugin config and CNI_ARGS', () => {
  it('reads Kuma conflist fields with Go type rules', () => {
    const conf = parsePluginConf(parseJsonObject('{"name":"kuma-cni","log_level":"debug","kubernetes":{"kubeconfig":"/k","exclude_namespaces":["a","b"]}}'), '0.3.1');
    expect(conf).toMatchObject({ logLevel: 'debug', kubeconfig: '/k', excludeNamespaces: ['a', 'b'], prevResult: undefined });
    expect(errorOf(() => parsePluginConf(parseJsonObject('{"kubernetes":{"exclude_namespaces":"a"}}'), '0.3.1'))).toContain('cannot unmarshal string');
    expect(errorOf(() => parseLogLevel(''))).toBe('failed to set log level: unknown log level ""');
  });
  it('parses kubelet CNI_ARGS; unknown keys need IgnoreUnknown', () => {
    expect(parseCniArgs('IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p;K8S_POD_UID=u')).toMatchObject({ podNamespace: 'ns', podName: 'p' });
    expect(errorOf(() => parseCniArgs('K8S_POD_NAME=p;FOO=1'))).toBe('failed to load CNI arguments: ARGS: unknown args ["FOO=1"]');
    expect(errorOf(() => parseCniArgs('K8S_POD_NAME'))).toBe('failed to load CNI arguments: ARGS: invalid pair "K8S_POD_NAME"');
    expect(parseCniArgs('IgnoreUnknown=true;__proto__=x').podName).toBe('');
  });
});

describe.skipIf(missingConformance('install-cni'))("Kuma's conflist entry (golden 10-kuma-cni.conf)", () => {
  it('is read as it is: level, kubeconfig, excluded namespaces', () => {
    const golden = parseJsonObject(readFileSync(join(conformanceDir(), 'install-cni', '10-kuma-cni.conf'), 'utf8'));
    const conf = parsePluginConf(golden, '0.3.1');
    expect([parseLogLevel(conf.logLevel), conf.kubeconfig, conf.excludeNamespaces]).toEqual(['info', '/etc/cni/net.d/ZZZ-kuma-cni-kubeconfig', ['kube-system']]);
    const args = { podName: 'p', podNamespace: 'kube-system', infraContainerId: '', ip: '' };
    expect(decideBeforeFetch(args, conf.excludeNamespaces).kind).toBe('skip');
  });
});

describe('hostile pods', () => {
  it('any annotations give a decision or a CniError, never another exception or a polluted prototype', () => {
    const keys = fc.constantFrom(
      CONFIG_ANNOTATION,
      'traffic.kuma.io/exclude-inbound-ports',
      'traffic.kuma.io/exclude-outbound-ports',
      'kuma.io/transparent-proxying-ip-family-mode',
      'kuma.io/gateway',
      'kuma.io/builtin-dns',
      'kuma.io/application-probe-proxy-port',
      'traffic.kuma.io/exclude-outbound-ips',
      '__proto__',
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(keys, fc.oneof(fc.string(), fc.constantFrom('9901', 'yes', '', 'ipv6', '{a: [', '__proto__: {x: 1}')))), (pairs) => {
        try {
          decideForPod(injected(Object.fromEntries(pairs)));
        } catch (error) {
          if (!(error instanceof CniError)) throw error;
        }
        expect(({} as Record<string, unknown>).x).toBeUndefined();
      }),
    );
  });
});
