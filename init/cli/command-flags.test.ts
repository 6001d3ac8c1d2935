// Flags of `uninstall transparent-proxy` and `install transparent-proxy-validator`
// (Kuma 2.13.10: uninstall_transparent_proxy.go, install_transparent_proxy_validator.go).
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/config.ts';
import { parseUninstallArgs } from './uninstall-command.ts';
import { parseValidatorArgs } from './validator-command.ts';

describe('uninstall transparent-proxy flags', () => {
  it('sets each field and keeps the rest at Kuma defaults', () => {
    const expected = defaultConfig();
    expected.dryRun = true;
    expected.verbose = true;
    expected.ebpf.bpffsPath = '/sys/fs/bpf';
    expect(parseUninstallArgs(['--dry-run', '--verbose', '--ebpf-bpffs-path', '/sys/fs/bpf'])).toEqual({ config: expected, help: false, notices: [] });
    expect(parseUninstallArgs(['--ebpf-enabled']).config.ebpf.enabled).toBe(true);
    expect(parseUninstallArgs(['-h']).help).toBe(true);
  });

  it("accepts kumactl's global flags", () => {
    expect(parseUninstallArgs(['--config-file=/tmp/.kumactl', '--log-level', 'info', '--no-config', '--api-timeout', '30s', '--context', 'c']).config).toEqual(defaultConfig());
  });

  it('rejects install-only flags', () => {
    expect(() => parseUninstallArgs(['--kuma-dp-user', 'x'])).toThrow('unknown flag: --kuma-dp-user');
  });
});

describe('install transparent-proxy-validator flags', () => {
  it('collects raw values for init/validator, repeatable configs in order', () => {
    expect(
      parseValidatorArgs([
        '--config-file=/tmp/.kumactl',
        '--ip-family-mode=ipv4',
        '--validation-server-port=15055',
        '--transparent-proxy-config', 'a.yaml',
        '--transparent-proxy-config=-',
      ]),
    ).toEqual({
      flags: { ipFamilyMode: 'ipv4', validationServerPort: '15055', transparentProxyConfig: ['a.yaml', '-'] },
      help: false,
    });
  });

  it('leaves unset flags undefined so the validator applies its defaults', () => {
    expect(parseValidatorArgs([])).toEqual({ flags: { transparentProxyConfig: [] }, help: false });
  });

  it('rejects install flags', () => {
    expect(() => parseValidatorArgs(['--redirect-dns'])).toThrow('unknown flag: --redirect-dns');
  });
});
