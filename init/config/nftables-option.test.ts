// `--nftables` (kuma-init extension): the same key from the flag, a --config
// document and the KUMA_TRANSPARENT_PROXY_* environment; off by default; an
// explicit iptables backend next to it is refused.
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.ts';
import { loadInstallConfig, type InstallInputs } from './load-install-config.ts';

function load(argv: string[], env: InstallInputs['env'] = {}, stdin = '') {
  const result = loadInstallConfig({ argv, env, readFile: () => '', readStdin: () => stdin, euid: 0, platform: 'linux' });
  if (result.kind !== 'config') throw new Error('expected a config');
  return result.config;
}

describe('the nftables option', () => {
  it('is off by default (Kuma compatibility)', () => {
    expect(load([]).nftables).toBe(false);
  });

  it.each([
    ['the flag', () => load(['--nftables'])],
    ['the flag with a value', () => load(['--nftables=true'])],
    ['a --config document', () => load(['--config', '-'], {}, 'nftables: true\n')],
    ['a JSON --config', () => load(['--config', '-'], {}, '{"nftables": true}')],
    // As in Kuma, the environment is read with each --config source.
    ['the environment', () => load(['--config', '-'], { KUMA_TRANSPARENT_PROXY_NFTABLES: 'true' }, '{}')],
  ])('is set by %s', (_source, loaded) => {
    expect(loaded().nftables).toBe(true);
  });

  it('follows Kuma’s precedence: the flag over the environment over the document', () => {
    expect(load(['--config', '-'], { KUMA_TRANSPARENT_PROXY_NFTABLES: 'false' }, 'nftables: true').nftables).toBe(false);
    expect(load(['--nftables=false'], { KUMA_TRANSPARENT_PROXY_NFTABLES: 'true' }).nftables).toBe(false);
  });

  it('refuses an explicit iptables backend next to it, naming both', () => {
    expect(() => load(['--nftables', '--iptables-mode', 'legacy'])).toThrow(ConfigError);
    expect(() => load(['--nftables', '--iptables-mode', 'nft'])).toThrow(/--nftables .* --iptables-mode nft/);
    expect(load(['--nftables', '--iptables-mode', 'auto']).nftables).toBe(true);
  });

  it('rejects a value that is not a boolean with Kuma’s kind of message', () => {
    expect(() => load(['--config', '-'], { KUMA_TRANSPARENT_PROXY_NFTABLES: 'maybe' }, '{}')).toThrow(/KUMA_TRANSPARENT_PROXY_NFTABLES/);
    expect(() => load(['--config', '-'], {}, '{"nftables": "yes"}')).toThrow(/Config.nftables of type bool/);
  });
});
