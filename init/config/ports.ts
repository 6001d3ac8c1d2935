// Port and port-list values as Kuma 2.13.10 parses them (config.Port, config.Ports):
// Go's strconv.ParseUint(s, 10, 16), so leading zeros pass and signs or spaces fail.
import { ConfigError } from './errors.ts';

/** Go `strconv.ParseUint(s, 10, 16)`; undefined when it would fail. */
export function parseUint16(s: string): number | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined;
  const value = Number(s);
  return value <= 0xffff ? value : undefined;
}

/** A port 1..65535; Kuma's message otherwise. */
export function parsePort(s: string): number {
  const value = parseUint16(s);
  if (value === undefined || value === 0) {
    throw new ConfigError(`value '${s}' is not a valid port (uint16 in the range [1, 65535])`);
  }
  return value;
}

/** A comma list of ports; blank items are dropped, items are trimmed. `Set` semantics: the result replaces. */
export function parsePorts(s: string): number[] {
  return s
    .trim()
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map(parsePort);
}
