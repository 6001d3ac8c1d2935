import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../init/config/index.ts';
import { testContext } from '../../../test-support/webhook/engine-fixtures.ts';
import { marshalledConfig } from './tproxy-config-annotation.ts';
import { mergeForKubernetes } from './tproxy-config-merge.ts';

const ctx = testContext({
  config: (c) => {
    c.sidecarContainer.ipFamilyMode = 'ipv4';
    c.sidecarTraffic.excludeInboundPorts = [1234];
    c.sidecarTraffic.excludeOutboundIPs = ['10.0.0.0/8'];
  },
});

describe('ConfigForKubernetes (2.13 merge of ConfigMap, runtime config and pod annotations)', () => {
  it('takes the UID, ports and CNI mode from the runtime config; the ConfigMap ipFamilyMode wins over the runtime one', () => {
    const config = mergeForKubernetes(defaultConfig(), {}, ctx);
    expect(config.kumaDPUser).toBe('5678');
    expect(config.ipFamilyMode).toBe('dualstack');
    expect(config.redirect.dns.port).toBe(15053);
    expect(config.redirect.dns.enabled).toBe(false);
    expect(config.redirect.inbound.excludePorts).toEqual([1234, 9001]);
    expect(config.redirect.outbound.excludePortsForIPs).toEqual(['10.0.0.0/8']);
  });

  it('lets annotations override lists, but an empty annotation does not clear them', () => {
    const config = mergeForKubernetes(
      defaultConfig(),
      {
        'traffic.kuma.io/exclude-inbound-ports': '80, 443',
        'traffic.kuma.io/exclude-outbound-ports': '',
        'traffic.kuma.io/exclude-outbound-ports-for-uids': 'tcp:22:1000;',
        'traffic.kuma.io/iptables-logs': 'true',
        'kuma.io/transparent-proxying-ip-family-mode': 'ipv4',
      },
      ctx,
    );
    expect(config.redirect.inbound.excludePorts).toEqual([80, 443, 9001]);
    expect(config.redirect.outbound.excludePorts).toEqual([]);
    expect(config.redirect.outbound.excludePortsForUIDs).toEqual(['tcp:22:1000', '']);
    expect(config.log.enabled).toBe(true);
    expect(config.ipFamilyMode).toBe('ipv4');
  });

  it('turns inbound redirection off for a gateway and keeps its ConfigMap values', () => {
    const config = mergeForKubernetes(defaultConfig(), { 'kuma.io/gateway': 'enabled' }, ctx);
    expect(config.redirect.inbound).toMatchObject({ enabled: false, port: 15006, excludePorts: [] });
  });

  it('reports invalid values with 2.13 texts', () => {
    expect(() => mergeForKubernetes(defaultConfig(), { 'traffic.kuma.io/exclude-inbound-ports': '80,x' }, ctx)).toThrow(
      "value 'x' is not a valid port (uint16 in the range [1, 65535])",
    );
    expect(() => mergeForKubernetes(defaultConfig(), { 'kuma.io/transparent-proxying-ip-family-mode': 'ipv6' }, ctx)).toThrow(
      "invalid IP Family Mode in annotation 'kuma.io/transparent-proxying-ip-family-mode': ipv6: must be one of 'dualstack' or 'ipv4'",
    );
  });

  it('marshals with Go key order, leaving out empty optional fields', () => {
    const config = mergeForKubernetes(defaultConfig(), { 'kuma.io/transparent-proxying-ebpf': 'true' }, ctx);
    const marshalled = marshalledConfig(config);
    expect(Object.keys(marshalled)).toEqual(['ebpf', 'ipFamilyMode', 'kumaDPUser', 'redirect', 'retry', 'wait', 'waitInterval']);
    expect(Object.keys(marshalled.ebpf as object)).toEqual([
      'bpffsPath',
      'cgroupPath',
      'enabled',
      'instanceIP',
      'instanceIPEnvVarName',
      'programsSourcePath',
      'tcAttachIface',
    ]);
    expect(marshalled.retry).toEqual({ maxRetries: 4, sleepBetweenRetries: '2s' });
  });
});
