import { describe, expect, it } from 'vitest';
import { podRedirect } from './kumactl-args.ts';

const base = {
  'kuma.io/sidecar-uid': '5678',
  'kuma.io/transparent-proxying-outbound-port': '15001',
  'kuma.io/transparent-proxying-inbound-port': '15006',
  'kuma.io/transparent-proxying-ip-family-mode': 'dualstack',
  'kuma.io/application-probe-proxy-port': '9001',
};

describe('kuma-init flags on the legacy path (2.13 AsKumactlCommandLine)', () => {
  it('emits only what differs from kumactl defaults, in 2.13 order', () => {
    expect(podRedirect(base).args).toEqual(['--exclude-inbound-ports=9001', '--verbose']);
    const args = podRedirect({
      ...base,
      'kuma.io/sidecar-uid': '1234',
      'kuma.io/transparent-proxying-ip-family-mode': 'ipv4',
      'kuma.io/transparent-proxying-outbound-port': '15002',
      'kuma.io/transparent-proxying-inbound-port': '15007',
      'traffic.kuma.io/exclude-outbound-ports': '53,80',
      'traffic.kuma.io/exclude-outbound-ips': ' 10.0.0.1 ,, 10.0.0.2',
      'traffic.kuma.io/exclude-outbound-ports-for-uids': 'tcp:22:1000;;udp:53:1001',
      'traffic.kuma.io/exclude-inbound-ports': '7000',
      'kuma.io/builtin-dns': 'enabled',
      'kuma.io/builtin-dns-port': '25053',
      'traffic.kuma.io/drop-invalid-packets': 'true',
      'traffic.kuma.io/iptables-logs': 'yes',
    }).args;
    expect(args).toEqual([
      '--kuma-dp-user=1234',
      '--ip-family-mode=ipv4',
      '--redirect-outbound-port=15002',
      '--exclude-outbound-ports=53,80',
      '--exclude-outbound-ips=10.0.0.1,10.0.0.2',
      '--exclude-outbound-ports-for-uids=tcp:22:1000',
      '--exclude-outbound-ports-for-uids=udp:53:1001',
      '--redirect-inbound-port=15007',
      '--exclude-inbound-ports=7000,9001',
      '--redirect-all-dns-traffic',
      '--redirect-dns-port=25053',
      '--drop-invalid-packets',
      '--iptables-logs',
      '--verbose',
    ]);
  });

  it('a gateway gets no inbound redirection and no inbound exclusions', () => {
    const redirect = podRedirect({ ...base, 'kuma.io/gateway': 'enabled', 'traffic.kuma.io/exclude-inbound-ports': '7000' });
    expect(redirect.redirectInbound).toBe(false);
    expect(redirect.args).toEqual(['--redirect-inbound=false', '--verbose']);
  });

  it('ignores invalid drop-invalid-packets / iptables-logs values (2.13 reads them leniently)', () => {
    expect(podRedirect({ ...base, 'traffic.kuma.io/drop-invalid-packets': 'enabled' }).args).toEqual([
      '--exclude-inbound-ports=9001',
      '--verbose',
    ]);
  });

  it('passes eBPF settings, with the instance IP as an env reference', () => {
    const args = podRedirect({
      ...base,
      'kuma.io/transparent-proxying-ebpf': 'enabled',
      'kuma.io/transparent-proxying-ebpf-bpf-fs-path': '/sys/fs/bpf',
      'kuma.io/transparent-proxying-ebpf-instance-ip-env-var-name': 'INSTANCE_IP',
    }).args;
    expect(args).toContain('--ebpf-enabled');
    expect(args).toContain('--ebpf-bpffs-path=/sys/fs/bpf');
    expect(args).toContain('--ebpf-instance-ip=$(INSTANCE_IP)');
  });

  it('returns parse errors raw', () => {
    expect(() => podRedirect({ ...base, 'kuma.io/gateway': 'provided' })).toThrow('annotation "kuma.io/gateway" has wrong value "provided"');
    expect(() => podRedirect({ ...base, 'kuma.io/builtin-dns-port': '-1' })).toThrow(
      'failed to parse annotation "kuma.io/builtin-dns-port": strconv.ParseUint: parsing "-1": invalid syntax',
    );
  });
});
