// The range checks of uid-exclusions.ts against real iptables (legacy and nft)
// in a network namespace: an entry is refused by the parser exactly when
// iptables refuses the multiport/owner rule built from it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingRootTools } from '../../test-support/environment.ts';
import { createNetns, destroyAll, type Netns } from '../../test-support/init/netns.ts';
import { parseExcludePortsForUIDs } from './uid-exclusions.ts';

/** `tcp:<ports>:<uids>` entries around the edges: equal, reversed and ordered ranges. */
const entries = ['tcp:4-4:1', 'tcp:9-3:1', 'tcp:3-9:1', 'tcp:53,4-4:1', 'tcp:3-9:4-4', 'tcp:3-9:9-3', 'tcp:3-9:3-9', 'tcp:80:0'];

/** The rule's arguments as iptables spells ranges (`a:b`), whether or not the parser accepts the entry. */
function ruleArgs(entry: string): string[] {
  const [, ports = '', uids = ''] = entry.split(':');
  const colon = (value: string) => value.replaceAll('-', ':');
  return ['-t', 'nat', '-A', 'OUTPUT', '-p', 'tcp', '-m', 'multiport', '--dports', colon(ports), '-m', 'owner', '--uid-owner', colon(uids), '-j', 'RETURN'];
}

function parserAccepts(entry: string): boolean {
  try {
    parseExcludePortsForUIDs([entry]);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(missingRootTools('ip', 'iptables-legacy', 'iptables-nft'))('UID-exclusion ranges: the parser refuses what iptables refuses', () => {
  let ns: Netns;
  beforeAll(async () => {
    ns = await createNetns('uidrange');
  });
  afterAll(destroyAll);

  describe.each(['iptables-legacy', 'iptables-nft'])('%s', (iptables) => {
    it.each(entries)('%s', async (entry) => {
      const result = await ns.run(iptables, ruleArgs(entry));
      expect(parserAccepts(entry), `iptables exit ${result.code}: ${result.stderr.trim()}`).toBe(result.code === 0);
    });
  });

  it('the parser output of an accepted entry is what iptables takes', async () => {
    const [exclusion] = parseExcludePortsForUIDs(['tcp:3-9,20:4-4']);
    const result = await ns.run('iptables-nft', ['-t', 'nat', '-A', 'OUTPUT', '-p', 'tcp', '-m', 'multiport', '--dports', exclusion!.ports, '-m', 'owner', '--uid-owner', exclusion!.uids, '-j', 'RETURN']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
