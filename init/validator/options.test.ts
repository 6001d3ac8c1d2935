import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIpFamilyModeFlag, parseServerPortFlag, resolveValidatorOptions } from './options.ts';

const dir = mkdtempSync(join(tmpdir(), 'validator-options-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('validator flags', () => {
  it('defaults to dualstack and port 15006', async () => {
    expect(await resolveValidatorOptions({})).toEqual({ ipFamilyMode: 'dualstack', serverPort: 15006 });
  });

  it('takes --ip-family-mode and --validation-server-port (as the injector passes them)', async () => {
    expect(await resolveValidatorOptions({ ipFamilyMode: 'ipv4', validationServerPort: '15055' })).toEqual({
      ipFamilyMode: 'ipv4',
      serverPort: 15055,
    });
  });

  it('reads the mode case-insensitively, as the install command does (IPv4 means IPv4)', () => {
    expect(parseIpFamilyModeFlag('IPv4')).toBe('ipv4');
    expect(parseIpFamilyModeFlag('')).toBe('dualstack');
  });

  it("refuses other modes with Kuma's message", () => {
    expect(() => parseIpFamilyModeFlag('ipv6')).toThrow(
      `invalid argument "ipv6" for "--ip-family-mode" flag: must be one of 'dualstack' or 'ipv4'`,
    );
  });

  it('parses the port like pflag Uint16Var (base prefixes, 0 allowed, range checked)', () => {
    expect(parseServerPortFlag('0')).toBe(0);
    expect(parseServerPortFlag('0x3a9e')).toBe(15006);
    expect(() => parseServerPortFlag('70000')).toThrow(
      'invalid argument "70000" for "--validation-server-port" flag: strconv.ParseUint: parsing "70000": value out of range',
    );
    expect(() => parseServerPortFlag('abc')).toThrow('strconv.ParseUint: parsing "abc": invalid syntax');
  });
});

describe('--transparent-proxy-config', () => {
  it('overrides the flags with the config, layering files in order', async () => {
    const base = file('base.yaml', 'ipFamilyMode: ipv4\nredirect:\n  inbound:\n    port: 15100\n');
    const custom = file('custom.yaml', 'redirect:\n  inbound:\n    port: 15200\n  vnet: {networks: []}\n');
    expect(
      await resolveValidatorOptions({ ipFamilyMode: 'dualstack', validationServerPort: '1', transparentProxyConfig: [base, custom] }),
    ).toEqual({ ipFamilyMode: 'ipv4', serverPort: 15200 });
  });

  it('falls back to the DataplaneConfig defaults, not to the flags', async () => {
    const empty = file('empty.yaml', '');
    expect(await resolveValidatorOptions({ validationServerPort: '15055', transparentProxyConfig: [empty] })).toEqual({
      ipFamilyMode: 'dualstack',
      serverPort: 15006,
    });
  });

  it('reads - from stdin', async () => {
    const opts = await resolveValidatorOptions(
      { transparentProxyConfig: ['-'] },
      { readStdin: () => Promise.resolve('redirect: {inbound: {port: 15999}}') },
    );
    expect(opts.serverPort).toBe(15999);
  });

  it("reports a missing file with Kuma's message", async () => {
    await expect(resolveValidatorOptions({ transparentProxyConfig: [join(dir, 'nope.yaml')] })).rejects.toThrow(
      `failed to load transparent proxy configuration from provided input: unable to access configuration file '${join(dir, 'nope.yaml')}', please check if the file exists and has the correct permissions`,
    );
  });

  it('rejects port 0 and bad modes inside a file', async () => {
    const zero = file('zero.yaml', 'redirect:\n  inbound:\n    port: 0\n');
    await expect(resolveValidatorOptions({ transparentProxyConfig: [zero] })).rejects.toThrow(
      `failed to load transparent proxy configuration from provided input: parsing configuration from file '${zero}' failed: unable to parse configuration: error unmarshaling JSON: value '0' is not a valid port (uint16 in the range [1, 65535])`,
    );
    const mode = file('mode.yaml', 'ipFamilyMode: ipv6\n');
    await expect(resolveValidatorOptions({ transparentProxyConfig: [mode] })).rejects.toThrow(
      "must be one of 'dualstack' or 'ipv4'",
    );
  });

  it('reports wrong types as encoding/json does', async () => {
    const bad = file('bad.yaml', 'redirect:\n  inbound:\n    enabled: "yes please"\n');
    await expect(resolveValidatorOptions({ transparentProxyConfig: [bad] })).rejects.toThrow(
      /json: cannot unmarshal string into Go struct field \w+\.redirect\.inbound\.enabled of type bool/,
    );
  });

  it('matches keys case-insensitively, as encoding/json does', async () => {
    const upper = file('upper.yaml', 'Redirect:\n  Inbound:\n    Port: 15300\n');
    expect((await resolveValidatorOptions({ transparentProxyConfig: [upper] })).serverPort).toBe(15300);
  });
});
