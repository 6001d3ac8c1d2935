// The `excludePortsForUIDs` grammar `<protocol:>?<ports:>?<uids>` (pkg/transparentproxy/
// config/utils.go), with Kuma 2.13.10's checks, their order and their messages; then one
// check of ours (docs/tproxy-config.md, deviations): ranges that iptables
// refuses at restore time are refused here, naming the entry.
import { ConfigError } from './errors.ts';
import { parseUint16 } from './ports.ts';

export interface UidExclusion {
  protocol: 'tcp' | 'udp';
  /** iptables multiport syntax: `53,3000:5000`, or `1:65535` for all ports. */
  ports: string;
  /** iptables owner syntax: `106:108` or `0`. */
  uids: string;
}

const wrapper = 'parsing excluded outbound ports for uids failed';

function fail(message: string): never {
  // Kuma says "outbound" for inbound entries too.
  throw new ConfigError(`${wrapper}: ${message}`);
}

/** Splits on commas and drops blank items; items keep their spaces (as Kuma). */
export function commaItems(value: string): string[] {
  return value.split(',').filter((item) => item.trim() !== '');
}

function checkValueOrRange(valueOrRange: string, what: string): void {
  for (const element of commaItems(valueOrRange)) {
    for (const piece of element.split('-')) {
      if (parseUint16(piece) === undefined) {
        fail(`${what}: validation failed for value or range '${valueOrRange}': invalid uint16 value: '${piece}'`);
      }
    }
  }
}

/**
 * The ranges of a checked value that iptables refuses: multiport rejects a port
 * range whose ends are equal or reversed (`invalid portrange specified`), the
 * owner match a reversed UID range (`4-4` is fine there).
 */
function checkRangesIptablesAccepts(entry: string, valueOrRange: string, what: 'port' | 'UID'): void {
  for (const element of commaItems(valueOrRange)) {
    const pieces = element.split('-');
    if (pieces.length !== 2) continue;
    const [low, high] = pieces.map(Number) as [number, number];
    const where = `${what} range '${element}' in '${entry}'`;
    if (low > high) fail(`${where} is reversed, which iptables refuses: write '${high}-${low}'`);
    if (low === high && what === 'port') {
      fail(`${where} is a single port, which iptables' multiport match refuses as a range: write '${low}'`);
    }
  }
}

function parseEntry(entry: string): UidExclusion[] {
  const parts = entry.split(':');
  if (parts.length > 3) {
    fail(`invalid format for excluding ports by UIDs: '${entry}'. Expected format: <protocol:>?<ports:>?<uids>`);
  }
  const [protocolOpts, portsRaw, uids] =
    parts.length === 1 ? ['*', '*', parts[0]!] : parts.length === 2 ? ['*', parts[0]!, parts[1]!] : [parts[0]!, parts[1]!, parts[2]!];

  if (uids === '*') fail("wildcard '*' is not allowed for UIDs");
  const ports = portsRaw === '*' || portsRaw === '' ? '1-65535' : portsRaw;
  checkValueOrRange(ports, 'invalid port range');
  if (uids.includes(',')) fail(`invalid UID entry: '${uids}'. It should either be a single item or a range`);
  checkValueOrRange(uids, 'invalid UID range');

  const protocols: Array<'tcp' | 'udp'> = [];
  if (protocolOpts === '' || protocolOpts === '*') {
    protocols.push('tcp', 'udp');
  } else {
    for (const item of commaItems(protocolOpts)) {
      const protocol = item.trim().toLowerCase();
      if (protocol !== 'tcp' && protocol !== 'udp') fail(`invalid or unsupported protocol: '${item}'`);
      protocols.push(protocol);
    }
  }
  checkRangesIptablesAccepts(entry, ports, 'port');
  checkRangesIptablesAccepts(entry, uids, 'UID');
  return protocols.map((protocol) => ({
    protocol,
    ports: ports.replaceAll('-', ':'),
    uids: uids.replaceAll('-', ':'),
  }));
}

/** One exclusion per protocol per entry, in entry order; throws ConfigError with Kuma's message. */
export function parseExcludePortsForUIDs(entries: readonly string[]): UidExclusion[] {
  return entries.flatMap(parseEntry);
}
