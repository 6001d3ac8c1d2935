import { describe, expect, it } from 'vitest';
import type { Executables } from '../profile/profile.ts';
import { failureReason, isTransientFailure, lockArgs, runRestore } from './restore.ts';
import { recordedSystem } from '../../test-support/init/recorded-system.ts';
import type { ApplyLog } from './log.ts';

const legacy: Executables = { mode: 'legacy', iptables: '/usr/sbin/iptables-legacy', save: '/usr/sbin/iptables-legacy-save', restore: '/usr/sbin/iptables-legacy-restore', version: '1.8.9' };
const nft: Executables = { ...legacy, mode: 'nft', restore: '/usr/sbin/iptables-nft-restore' };

describe('lockArgs (Kuma buildRestoreArgs)', () => {
  it('adds --wait/--wait-interval for legacy only, and only when > 0', () => {
    expect(lockArgs({ wait: 5, waitInterval: 0 }, legacy)).toEqual(['--wait=5']);
    expect(lockArgs({ wait: 5, waitInterval: 100 }, legacy)).toEqual(['--wait=5', '--wait-interval=100']);
    expect(lockArgs({ wait: 0, waitInterval: 0 }, legacy)).toEqual([]);
    expect(lockArgs({ wait: 5, waitInterval: 100 }, nft)).toEqual([]);
    expect(lockArgs({ wait: 5, waitInterval: 0 }, { ...legacy, fromConfig: true })).toEqual([]);
  });
});

describe('failure classification', () => {
  it('treats only lock and busy errors as transient', () => {
    expect(isTransientFailure('Another app is currently holding the xtables lock. Stopped waiting after 5s.')).toBe(true);
    expect(isTransientFailure('iptables-nft-restore: Could not fetch rule set generation id: Invalid argument')).toBe(true);
    expect(isTransientFailure('iptables-restore: line 5 failed\nRULE_APPEND failed (Operation not supported): rule in chain OUTPUT')).toBe(false);
  });

  it('picks the line that explains the failure', () => {
    expect(failureReason('iptables-restore: line 7 failed\niptables-restore v1.8.9 (legacy): Couldn\'t load target `NOPE\':No such file or directory\n')).toMatch(/Couldn't load target/);
  });
});

describe('runRestore', () => {
  const log: ApplyLog = { info: () => undefined, warn: () => undefined };
  const config = { wait: 5, waitInterval: 0, retry: { maxRetries: 2, sleepBetweenRetries: 1 } };

  it('retries a held lock and passes the rules on stdin with --noflush', async () => {
    let tries = 0;
    const inputs: string[] = [];
    const sys = recordedSystem({
      executables: [],
      respond: (line, input) => {
        inputs.push(input ?? '');
        return ++tries < 3 ? { code: 4, stderr: 'Another app is currently holding the xtables lock.' } : { code: 0 };
      },
    });
    const r = await runRestore(sys, config, { exe: legacy, input: '*nat\nCOMMIT\n', mode: 'noflush', family: 'ipv4' }, log);
    expect(r.code).toBe(0);
    expect(sys.calls).toEqual(Array(3).fill('/usr/sbin/iptables-legacy-restore --wait=5 --noflush'));
    expect(inputs).toEqual(Array(3).fill('*nat\nCOMMIT\n'));
  });

  it('does not retry "Operation not supported"', async () => {
    const sys = recordedSystem({ executables: [], respond: () => ({ code: 1, stderr: 'RULE_APPEND failed (Operation not supported)' }) });
    const r = await runRestore(sys, config, { exe: nft, input: '', mode: 'noflush', family: 'ipv4' }, log);
    expect(r.code).toBe(1);
    expect(sys.calls).toEqual(['/usr/sbin/iptables-nft-restore --noflush']);
  });
});
