// Pure parsers for what detection reads: `iptables --version`, iptables-save
// output, /etc/passwd, resolv.conf and `ip -j addr`. Tested with recorded outputs.
import type { IptablesMode } from './profile.ts';
import type { NetInterface } from './deps.ts';

/** Kuma's version regex; group 2 is "" / "legacy" (legacy) or "nf_tables" (nft). */
const versionRegex = /^ip6?tables[\w-]*? v(\d+(?:\.\d+)+)(?: \((.*?)\))?/m;

export type VersionProbe = { ok: true; version: string; mode: IptablesMode } | { ok: false; error: string };

/** Interprets `<binary> --version` as Kuma does, including the pre-1.6 binaries without `--version` (legacy). */
export function parseIptablesVersion(code: number, stdout: string, stderr: string): VersionProbe {
  if (`${stdout}\n${stderr}`.includes("unrecognized option '--version'")) {
    return { ok: true, version: '', mode: 'legacy' };
  }
  if (code !== 0) return { ok: false, error: oneLine(stderr || stdout || `exit status ${code}`) };
  const m = versionRegex.exec(stdout);
  if (!m) return { ok: false, error: `unable to parse iptables version: ${oneLine(stdout)}` };
  const variant = m[2] ?? '';
  if (variant === '' || variant === 'legacy') return { ok: true, version: m[1]!, mode: 'legacy' };
  if (variant === 'nf_tables') return { ok: true, version: m[1]!, mode: 'nft' };
  return { ok: false, error: `unknown iptables variant '${variant}'` };
}

function oneLine(s: string): string {
  return s.replace(/\n/g, ' ').replace(/ {2,}/g, ' ').trim().replace(/\.+$/, '');
}

/** Built-in chain count per table; more non-comment lines in `iptables-save -t <t>` means existing rules. */
const builtinChainCount = { nat: 4, raw: 2, mangle: 5 } as const;

/** Kuma's existing-rules test for one table's `iptables-save -t <table>` output. */
export function hasRulesBeyondBuiltins(save: string, table: keyof typeof builtinChainCount): boolean {
  const meaningful = save
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('*') && !l.startsWith('COMMIT'));
  return meaningful.length > builtinChainCount[table];
}

/** The `*<table>` … `COMMIT` part of a full iptables-save output ('' when the table is absent). */
export function tableSection(save: string, table: string): string {
  const lines = save.split('\n');
  const start = lines.findIndex((l) => l.trim() === `*${table}`);
  if (start < 0) return '';
  const end = lines.findIndex((l, i) => i > start && l.trim() === 'COMMIT');
  return lines.slice(start, end < 0 ? undefined : end + 1).join('\n') + '\n';
}

export function hasDockerOutputChain(natSave: string): boolean {
  return /^:DOCKER_OUTPUT/m.test(natSave);
}

/** Users of an /etc/passwd file (name:pw:uid:...); malformed lines are skipped. */
export function parsePasswd(text: string): Array<{ name: string; uid: number }> {
  const users: Array<{ name: string; uid: number }> = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const [name, , uid] = line.split(':');
    if (name && uid !== undefined && /^\d+$/.test(uid)) users.push({ name, uid: Number(uid) });
  }
  return users;
}

/** `nameserver` values as miekg/dns reads them: second field, unvalidated, file order. */
export function parseNameservers(text: string): string[] {
  const servers: string[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === 'nameserver' && fields[1] !== undefined) servers.push(fields[1]);
  }
  return servers;
}

/** `ip -j addr show` output → interfaces (LOOPBACK flag and addresses). */
export function parseIpAddrJson(json: string): NetInterface[] {
  const links = JSON.parse(json) as Array<{
    ifname: string;
    flags?: string[];
    addr_info?: Array<{ family: string; local: string }>;
  }>;
  return links.map((l) => ({
    name: l.ifname,
    loopback: (l.flags ?? []).includes('LOOPBACK'),
    addresses: (l.addr_info ?? [])
      .filter((a) => a.family === 'inet' || a.family === 'inet6')
      .map((a) => ({ address: a.local, family: a.family === 'inet' ? ('IPv4' as const) : ('IPv6' as const) })),
  }));
}

/** Go's `!ip.IsLoopback() && ip.To4() == nil` over all addresses (an earlier run's `::6` on lo counts, as in Kuma). */
export function hasNonLoopbackIPv6(interfaces: readonly NetInterface[]): boolean {
  return interfaces.some((i) => i.addresses.some((a) => a.family === 'IPv6' && !isIPv6Loopback(a.address)));
}

function isIPv6Loopback(address: string): boolean {
  return /^(0{0,4}:){2,7}0{0,3}1$/i.test(address.split('%')[0]!) || address === '::1';
}
