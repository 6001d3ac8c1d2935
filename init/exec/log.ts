// Where the executor reports progress. Kuma's line format: `# [iptables] msg`
// on stdout, `# [iptables] [WARNING] msg` on stderr; no family prefix for
// messages about the whole run.
import type { IpFamily } from '../profile/index.ts';

export interface ApplyLog {
  info(message: string, family?: IpFamily): void;
  warn(message: string, family?: IpFamily): void;
}

const familyTag: Record<IpFamily, string> = { ipv4: '[iptables]', ipv6: '[ip6tables]' };

export function kumaStyleLog(out: (line: string) => void, err: (line: string) => void): ApplyLog {
  const line = (family: IpFamily | undefined, ...parts: string[]) => ['#', ...(family ? [familyTag[family]] : []), ...parts].join(' ');
  return {
    info: (message, family) => out(line(family, message)),
    warn: (message, family) => err(line(family, '[WARNING]', message)),
  };
}

/** Discards everything (tests, benchmark). */
export const silentLog: ApplyLog = { info: () => undefined, warn: () => undefined };
