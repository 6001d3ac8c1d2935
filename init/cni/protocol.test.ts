// The CNI protocol checks in skel's order (containernetworking/cni v1.3.0),
// and the printed result/error shapes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CniError, errorJson } from './errors.ts';
import { emptyResult, formatResult, parsePrevResult } from './prev-result.ts';
import { MAX_STDIN_BYTES, parseJsonObject, parseRequest, versionJson, type Env, type JsonObject } from './protocol.ts';

const addEnv: Env = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: '/run/netns/x', CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin' };
const conf = (o: object) => () => Buffer.from(JSON.stringify(o));
const failure = (env: Env, stdin = conf({ name: 'kuma-cni', cniVersion: '0.3.1' })): CniError => {
  try {
    parseRequest(env, stdin);
  } catch (error) {
    if (error instanceof CniError) return error;
    throw error;
  }
  throw new Error('expected a CniError');
};

describe('parseRequest', () => {
  it('no CNI_COMMAND is the about request; VERSION needs nothing else and reads no stdin', () => {
    expect(parseRequest({}, () => Buffer.from('x'))).toEqual({ kind: 'about' });
    expect(parseRequest({ CNI_COMMAND: 'VERSION' }, () => {
      throw new Error('stdin read');
    })).toEqual({ kind: 'version' });
    expect(JSON.parse(versionJson())).toEqual({ cniVersion: '1.1.0', supportedVersions: ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] });
  });

  it.each([
    ['ADD', {}, 'CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME,CNI_PATH'],
    ['DEL', {}, 'CNI_CONTAINERID,CNI_IFNAME,CNI_PATH'],
    ['CHECK', { CNI_NETNS: '/n' }, 'CNI_CONTAINERID,CNI_IFNAME,CNI_PATH'],
    ['GC', {}, 'CNI_PATH'],
  ])('%s lists the missing variables in skel order (code 4)', (command, extra, missing) => {
    const error = failure({ CNI_COMMAND: command, ...extra });
    expect([error.code, error.message]).toEqual([4, `required env variables [${missing}] missing`]);
  });

  it('validates the container ID and interface name (code 4)', () => {
    expect(failure({ ...addEnv, CNI_CONTAINERID: 'bad id' }).message).toBe('invalid characters in containerID');
    expect(failure({ ...addEnv, CNI_IFNAME: 'a'.repeat(16) }).message).toBe('interface name is too long');
    expect(failure({ ...addEnv, CNI_IFNAME: 'a/b' }).message).toBe('interface name contains / or : or whitespace characters');
  });

  it('needs a network name, a supported version, and CHECK ≥ 0.4.0, GC/STATUS ≥ 1.1.0', () => {
    expect([failure(addEnv, conf({ cniVersion: '0.3.1' })).code, failure(addEnv, conf({ cniVersion: '0.3.1' })).message]).toEqual([7, 'missing network name']);
    const version = failure(addEnv, conf({ name: 'n', cniVersion: '9.9.9' }));
    expect([version.code, version.message]).toEqual([1, 'incompatible CNI versions']);
    expect(version.details).toContain('config is "9.9.9"');
    expect(failure({ ...addEnv, CNI_COMMAND: 'CHECK' }, conf({ name: 'n', cniVersion: '0.3.1' })).message).toBe('config version does not allow CHECK');
    expect(failure({ CNI_COMMAND: 'GC', CNI_PATH: '/p' }, conf({ name: 'n', cniVersion: '1.0.0' })).message).toBe('config version does not allow GC');
    expect(parseRequest({ CNI_COMMAND: 'STATUS', CNI_PATH: '/p' }, conf({ name: 'n', cniVersion: '1.1.0' }))).toMatchObject({ command: 'STATUS' });
    // A config without cniVersion is 0.1.0 (libcni), which ADD accepts.
    expect(parseRequest(addEnv, conf({ name: 'n' }))).toMatchObject({ cniVersion: '0.1.0' });
  });

  it('rejects malformed and oversized stdin as decoding failures (code 6), unknown commands (code 4)', () => {
    expect(failure(addEnv, () => Buffer.from('{')).code).toBe(6);
    expect(failure(addEnv, () => Buffer.from('[1]')).code).toBe(6);
    expect(failure(addEnv, () => Buffer.alloc(MAX_STDIN_BYTES + 1, 0x20)).message).toContain('exceeds');
    expect(failure({ ...addEnv, CNI_COMMAND: 'FOO' }).message).toBe('unknown CNI_COMMAND: FOO');
  });

  it('keeps stdin keys away from prototypes', () => {
    const parsed = parseJsonObject('{"name":"n","__proto__":{"polluted":true},"kubernetes":{"constructor":{"x":1}}}');
    expect(Object.getPrototypeOf(parsed)).toBeNull();
    expect(Object.hasOwn(parsed, '__proto__')).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('result and error printing', () => {
  it('prints errors as skel does: code, msg, details only when set, 4-space indent', () => {
    expect(errorJson(new CniError('ENV_MISSING', 'm'))).toBe('{\n    "code": 4,\n    "msg": "m"\n}');
    expect(JSON.parse(errorJson(new CniError('VERSION_UNSUPPORTED', 'm', 'd')))).toEqual({ code: 1, msg: 'm', details: 'd' });
  });

  it('with no prevResult: 0.3.x prints an empty dns, 1.x omits it, 0.2.0 cannot convert', () => {
    expect(formatResult(emptyResult(), '0.3.1')).toBe('{\n    "cniVersion": "0.3.1",\n    "dns": {}\n}');
    expect(formatResult(emptyResult(), '1.0.0')).toBe('{\n    "cniVersion": "1.0.0"\n}');
    expect(() => formatResult(emptyResult(), '0.2.0')).toThrow('cannot convert: no valid IP addresses');
  });

  const bridge040: JsonObject = {
    cniVersion: '0.4.0',
    interfaces: [{ name: 'cni0', mac: '0a:58:0a:01:00:01' }, { name: 'eth0', mac: '0a:58:0a:01:00:05', sandbox: '/run/netns/p' }],
    ips: [{ version: '4', interface: 1, address: '10.1.0.5/24', gateway: '10.1.0.1' }],
    routes: [{ dst: '0.0.0.0/0', gw: '10.1.0.1' }],
    dns: { nameservers: ['10.96.0.10'] },
  };

  it('passes a 0.4.0 prevResult through unchanged', () => {
    expect(JSON.parse(formatResult(parsePrevResult(bridge040, '0.4.0'), '0.4.0'))).toEqual(bridge040);
  });

  it('a 1.x prevResult comes back with sorted keys; 0.x drops what 0.x has not (mtu)', () => {
    const v100: JsonObject = { cniVersion: '1.0.0', ips: [{ address: 'fd00::5/64', interface: 0 }], interfaces: [{ name: 'eth0', mtu: 1500 }] };
    const text = formatResult(parsePrevResult(v100, '1.0.0'), '1.0.0');
    expect(JSON.parse(text)).toEqual(v100);
    expect(text.indexOf('"interfaces"')).toBeLessThan(text.indexOf('"ips"'));
    const down = JSON.parse(formatResult(parsePrevResult(v100, '1.0.0'), '0.3.1')) as { ips: Array<{ version: string }>; interfaces: object[] };
    expect(down.ips[0]!.version).toBe('6');
    expect(down.interfaces[0]).toEqual({ name: 'eth0' });
  });

  it('rejects a prevResult of another version family or with bad addresses', () => {
    expect(() => parsePrevResult({ ...bridge040, cniVersion: '1.0.0' }, '0.4.0')).toThrow('unmarshalled CNIVersion is "1.0.0"');
    expect(() => parsePrevResult({ ...bridge040, ips: [{ version: '4', address: '10.1.0.500/24' }] }, '0.4.0')).toThrow('invalid CIDR');
  });
});

describe('hostile stdin', () => {
  const onlyCniErrors = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      if (!(error instanceof CniError)) throw error;
    }
  };
  it('any bytes: a request or a CniError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => onlyCniErrors(() => parseRequest(addEnv, () => Buffer.from(bytes)))));
  });
  it('any JSON as network config and prevResult: a request or a CniError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom('0.2.0', '0.3.1', '0.4.0', '1.0.0'), (value, version) => {
        onlyCniErrors(() => parseRequest(addEnv, () => Buffer.from(JSON.stringify({ name: 'n', cniVersion: version, prevResult: value }))));
        onlyCniErrors(() => formatResult(parsePrevResult(parseJsonObject(JSON.stringify({ v: value })).v!, version), version));
      }),
    );
  });
  it('any fields in a prevResult of the right version: a result or a CniError', () => {
    const anyList = fc.array(fc.oneof(fc.jsonValue(), fc.record({ address: fc.string(), dst: fc.string(), name: fc.string(), version: fc.string() })), { maxLength: 4 });
    fc.assert(
      fc.property(fc.constantFrom('0.2.0', '0.3.1', '0.4.0', '1.0.0'), anyList, anyList, anyList, fc.jsonValue(), (version, ips, routes, interfaces, dns) => {
        const prev = { cniVersion: version, ips, routes, interfaces, dns, ip4: ips[0] ?? null };
        onlyCniErrors(() => formatResult(parsePrevResult(parseJsonObject(JSON.stringify(prev)), version), version));
      }),
    );
  });
});
