// What `kumactl install transparent-proxy --dry-run` 2.13.10 prints to stdout:
// a header per family, a blank line, the trimmed restore input; families are
// separated by a blank line (pkg/transparentproxy/iptables/setup.go dryRun).

import type { FamilyRules, RenderedRules } from './render.ts';

const HEADERS = { ipv4: '### IPv4 ###', ipv6: '### IPv6 ###' } as const;

/** Go's strings.TrimSpace for the ASCII whitespace a restore input can hold. */
const trimSpace = (s: string): string => s.replace(/^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g, '');

export function formatDryRun(rendered: Pick<RenderedRules, 'ipv4' | 'ipv6'>): string {
  const families: FamilyRules[] = rendered.ipv6 ? [rendered.ipv4, rendered.ipv6] : [rendered.ipv4];
  return `${families.flatMap((f) => [HEADERS[f.family], trimSpace(f.restoreInput)]).join('\n\n')}\n`;
}
