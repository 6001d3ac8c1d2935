import { describe, expect, it } from 'vitest';
import { alreadyInstalled } from './idempotency.ts';
import { markersFor } from './kuma-rules.ts';
import { parseTables } from './restore-text.ts';

const m = markersFor('KUMA_MESH');
const C = 'kuma/mesh/transparent/proxy/';

const rendered = parseTables(`* nat
-N KUMA_MESH_OUTBOUND
-I OUTPUT 1 -m comment --comment "${C}first" -p tcp -d 10.0.0.1 -j RETURN
-A OUTPUT -m comment --comment "${C}jump" -p tcp -j KUMA_MESH_OUTBOUND
-A KUMA_MESH_OUTBOUND -m comment --comment "${C}to envoy" -p tcp -j REDIRECT --to-ports 15001
COMMIT
`);

/** What iptables-save prints after that input was restored over one unrelated OUTPUT rule. */
const installed = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUMA_MESH_OUTBOUND - [0:0]
-A OUTPUT -d 10.0.0.1/32 -p tcp -m comment --comment "${C}first" -j RETURN
-A OUTPUT -p udp -j ACCEPT
-A OUTPUT -p tcp -m comment --comment "${C}jump" -j KUMA_MESH_OUTBOUND
-A KUMA_MESH_OUTBOUND -p tcp -m comment --comment "${C}to envoy" -j REDIRECT --to-ports 15001
COMMIT
`;

describe('alreadyInstalled', () => {
  it('recognises the installed rules, with inserts placed before unrelated rules', () => {
    expect(alreadyInstalled(parseTables(installed), rendered, m)).toBe(true);
  });

  it('is false on a clean system', () => {
    expect(alreadyInstalled(parseTables(installed.replace(/.*(KUMA|kuma).*\n/g, '')), rendered, m)).toBe(false);
  });

  it('is false when a Kuma rule differs, is missing, is duplicated or is out of order', () => {
    const variants = [
      installed.replace('--to-ports 15001', '--to-ports 15002'),
      installed.replace(/-A KUMA_MESH_OUTBOUND.*\n/, ''),
      installed.replace(/(-A KUMA_MESH_OUTBOUND.*\n)/, '$1$1'),
      installed.replace(/(-A OUTPUT -d 10.*\n)(-A OUTPUT -p udp.*\n)/, '$2$1'),
    ];
    for (const v of variants) expect(alreadyInstalled(parseTables(v), rendered, m)).toBe(false);
  });

  it('is false when another table still holds Kuma rules', () => {
    const withRaw = `*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p udp -m comment --comment "${C}zone" -j CT --zone 2\nCOMMIT\n${installed}`;
    expect(alreadyInstalled(parseTables(withRaw), rendered, m)).toBe(false);
  });

  it('recognises matching rules without comments (--disable-comments), which a cleanup would refuse', () => {
    const uncommented = `*nat\n:OUTPUT ACCEPT [0:0]\n:KUMA_MESH_OUTBOUND - [0:0]\n-A OUTPUT -p tcp -j KUMA_MESH_OUTBOUND\n-A KUMA_MESH_OUTBOUND -p tcp -j REDIRECT --to-ports 15001\nCOMMIT\n`;
    const renderedUncommented = parseTables('* nat\n-N KUMA_MESH_OUTBOUND\n-A OUTPUT -p tcp -j KUMA_MESH_OUTBOUND\n-A KUMA_MESH_OUTBOUND -p tcp -j REDIRECT --to-ports 15001\nCOMMIT\n');
    expect(alreadyInstalled(parseTables(uncommented), renderedUncommented, m)).toBe(true);
  });
});
