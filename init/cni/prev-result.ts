// The result kuma-cni prints: the chain's prevResult passed through. As in
// Kuma (libcni v1.3.0 types 020/040/100), it is parsed at the request's
// cniVersion into the current (1.x) model and printed converted back to that
// version: 1.x with sorted keys and no empty `dns`; 0.3.x/0.4.0 in struct order
// with `dns` always present; 0.1.0/0.2.0 as `ip4`/`ip6`, which needs at least
// one address. Pure; fields are copied one by one, never spread from input.
import { parseGoCidr, parseGoIp } from '../config/index.ts';
import { CniError } from './errors.ts';
import type { JsonObject, JsonValue } from './protocol.ts';

interface Iface {
  name: string;
  mac?: string;
  mtu?: number;
  sandbox?: string;
  socketPath?: string;
  pciID?: string;
}
interface IpConfig {
  interface?: number;
  address: string;
  gateway?: string;
}
interface Route {
  dst: string;
  gw?: string;
  mtu?: number;
  advmss?: number;
  priority?: number;
  table?: number;
  scope?: number;
}
interface Dns {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}
/** libcni's types/100 Result. */
export interface CurrentResult {
  interfaces: Iface[];
  ips: IpConfig[];
  routes: Route[];
  dns: Dns;
}

export const emptyResult = (): CurrentResult => ({ interfaces: [], ips: [], routes: [], dns: {} });

type Family = '020' | '040' | '100';
const familyOf = (version: string): Family => (version.startsWith('0.1.') || version.startsWith('0.2.') ? '020' : version.startsWith('0.') ? '040' : '100');
const FAMILY_VERSIONS: Record<Family, readonly string[]> = { '020': ['', '0.1.0', '0.2.0'], '040': ['0.3.0', '0.3.1', '0.4.0'], '100': ['1.0.0', '1.1.0'] };

const fail = (message: string): never => {
  throw new CniError('PREV_RESULT', `failed to parse previous result: ${message}`);
};

function obj(v: JsonValue | undefined, what: string): JsonObject | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) return fail(`${what} is not an object`);
  return v;
}
function arr(v: JsonValue | undefined, what: string): JsonValue[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return fail(`${what} is not an array`);
  return v;
}
function str(v: JsonValue | undefined, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') return fail(`${what} is not a string`);
  return v === '' ? undefined : v;
}
function int(v: JsonValue | undefined, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) return fail(`${what} is not an integer`);
  return v;
}
const strs = (v: JsonValue | undefined, what: string): string[] | undefined => {
  const list = arr(v, what).map((s, i) => str(s, `${what}[${i}]`) ?? '');
  return list.length ? list : undefined;
};
function cidr(v: JsonValue | undefined, what: string): string {
  const s = str(v, what);
  if (s === undefined || !parseGoCidr(s)) return fail(`invalid CIDR address: ${JSON.stringify(String(s ?? '')).slice(0, 80)}`);
  return s;
}
function ip(v: JsonValue | undefined, what: string): string | undefined {
  const s = str(v, what);
  if (s !== undefined && !parseGoIp(s)) return fail(`invalid IP address: ${JSON.stringify(s).slice(0, 80)}`);
  return s;
}
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

function parseRoute(r: JsonValue, what: string): Route {
  const o = obj(r, what) ?? fail(`${what} is null`);
  return defined({
    dst: cidr(o.dst, `${what}.dst`),
    gw: ip(o.gw, `${what}.gw`),
    mtu: int(o.mtu, `${what}.mtu`) || undefined,
    advmss: int(o.advmss, `${what}.advmss`) || undefined,
    priority: int(o.priority, `${what}.priority`) || undefined,
    table: int(o.table, `${what}.table`),
    scope: int(o.scope, `${what}.scope`),
  });
}

function parseDns(v: JsonValue | undefined): Dns {
  const o = obj(v, 'dns');
  if (!o) return {};
  return defined({ nameservers: strs(o.nameservers, 'dns.nameservers'), domain: str(o.domain, 'dns.domain'), search: strs(o.search, 'dns.search'), options: strs(o.options, 'dns.options') });
}

/** The prevResult object at the request's version → the current model (libcni `NewResult` + `NewResultFromResult`). */
export function parsePrevResult(raw: JsonValue, cniVersion: string): CurrentResult {
  const o = obj(raw, 'prevResult') ?? emptyResult();
  const family = familyOf(cniVersion);
  const own = str((o as JsonObject).cniVersion, 'cniVersion') ?? '';
  if (!FAMILY_VERSIONS[family].includes(own)) {
    fail(`result type supports [${FAMILY_VERSIONS[family].filter(Boolean).join(' ')}] but unmarshalled CNIVersion is ${JSON.stringify(own.slice(0, 64))}`);
  }
  const r = o as JsonObject;
  if (family === '020') {
    const result = emptyResult();
    for (const key of ['ip4', 'ip6'] as const) {
      const c = obj(r[key], key);
      if (!c) continue;
      result.ips.push(defined({ address: cidr(c.ip, `${key}.ip`), gateway: ip(c.gateway, `${key}.gateway`) }));
      result.routes.push(...arr(c.routes, `${key}.routes`).map((x, i) => parseRoute(x, `${key}.routes[${i}]`)));
    }
    result.dns = parseDns(r.dns);
    return result;
  }
  return {
    interfaces: arr(r.interfaces, 'interfaces').map((x, i) => {
      const f = obj(x, `interfaces[${i}]`) ?? fail(`interfaces[${i}] is null`);
      return defined({
        name: str(f.name, 'name') ?? '',
        mac: str(f.mac, 'mac'),
        // 0.x interfaces have no mtu, socketPath or pciID: the conversion drops them.
        mtu: family === '100' ? int(f.mtu, 'mtu') || undefined : undefined,
        sandbox: str(f.sandbox, 'sandbox'),
        socketPath: family === '100' ? str(f.socketPath, 'socketPath') : undefined,
        pciID: family === '100' ? str(f.pciID, 'pciID') : undefined,
      });
    }),
    ips: arr(r.ips, 'ips').map((x, i) => {
      const c = obj(x, `ips[${i}]`) ?? fail(`ips[${i}] is null`);
      return defined({ interface: int(c.interface, `ips[${i}].interface`), address: cidr(c.address, `ips[${i}].address`), gateway: ip(c.gateway, `ips[${i}].gateway`) });
    }),
    routes: arr(r.routes, 'routes').map((x, i) => parseRoute(x, `routes[${i}]`)),
    dns: parseDns(r.dns),
  };
}

const isV4 = (cidrText: string): boolean => parseGoCidr(cidrText)?.isIPv4 ?? false;

/** Go's encoding/json string escaping (HTML-safe). */
const goJson = (value: unknown, indent: string): string =>
  JSON.stringify(value, null, indent).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

const nonEmpty = <T>(list: T[]): T[] | undefined => (list.length ? list : undefined);

/** The result printed at `cniVersion` (libcni `PrintResult`: converted, 4-space indented). */
export function formatResult(result: CurrentResult, cniVersion: string): string {
  const family = familyOf(cniVersion);
  let out: object;
  if (family === '100') {
    const dnsEmpty = Object.keys(result.dns).length === 0;
    out = sortedKeys(defined({ cniVersion, interfaces: nonEmpty(result.interfaces), ips: nonEmpty(result.ips), routes: nonEmpty(result.routes), dns: dnsEmpty ? undefined : result.dns })) as object;
  } else if (family === '040') {
    out = defined({
      cniVersion,
      interfaces: nonEmpty(result.interfaces.map((i) => defined({ name: i.name, mac: i.mac, sandbox: i.sandbox }))),
      ips: nonEmpty(result.ips.map((c) => defined({ version: isV4(c.address) ? '4' : '6', interface: c.interface, address: c.address, gateway: c.gateway }))),
      routes: nonEmpty(result.routes),
      dns: result.dns,
    });
  } else {
    // The first address of each family; each route goes with the address of its family.
    const first = (v4: boolean) => result.ips.find((c) => isV4(c.address) === v4);
    const config = (v4: boolean) => {
      const c = first(v4);
      if (!c) return undefined;
      const routes = result.routes.filter((r) => isV4(r.dst) === v4).map((r) => defined({ dst: r.dst, gw: r.gw }));
      return defined({ ip: c.address, gateway: c.gateway, routes: nonEmpty(routes) });
    };
    const [ip4, ip6] = [config(true), config(false)];
    if (!ip4 && !ip6) throw new CniError('RESULT', 'cannot convert: no valid IP addresses');
    out = defined({ cniVersion, ip4, ip6, dns: result.dns });
  }
  return goJson(out, "    ");
}
