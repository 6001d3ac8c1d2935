import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/config.ts';
import { detectProfile } from '../profile/detect.ts';
import { debianSystem, emptyNatSave, recordedSystem } from '../../test-support/init/recorded-system.ts';
import type { ApplyLog } from './log.ts';
import { uninstall } from './uninstall.ts';

const kumaNat = emptyNatSave.replace(
  'COMMIT',
  ':KUMA_MESH_OUTBOUND - [0:0]\n-A OUTPUT -p tcp -m comment --comment "kuma/mesh/transparent/proxy/jump" -j KUMA_MESH_OUTBOUND\nCOMMIT',
);

/** A detected Debian profile, then a system whose full saves and restores answer as recorded. */
async function setup(saveOutput: string, testResult: { code: number; stderr?: string }) {
  const profile = await detectProfile(defaultConfig(), debianSystem({}));
  const lines: string[] = [];
  const log: ApplyLog = { info: (m) => lines.push(m), warn: (m) => lines.push(`WARNING ${m}`) };
  const inputs: string[] = [];
  const sys = recordedSystem({
    executables: [],
    files: { '/etc/resolv.conf.kuma-backup': 'nameserver 10.96.0.10\n' },
    respond: (line, input) => {
      if (/-save$/.test(line)) return { code: 0, stdout: saveOutput };
      if (line.endsWith('--test')) return testResult;
      inputs.push(input ?? '');
      return { code: 0 };
    },
  });
  return { profile, sys, log, lines, inputs };
}

describe('uninstall (recorded outputs)', () => {
  it('does nothing but one save per family without Kuma rules', async () => {
    const { profile, sys, log, lines } = await setup(emptyNatSave, { code: 0 });
    const r = await uninstall(defaultConfig(), profile, log, sys);
    expect(r).toEqual({ cleaned: [], spawned: 2 });
    expect(lines.filter((l) => l === 'no transparent proxy rules detected. No cleanup necessary')).toHaveLength(2);
    expect(lines.at(-1)).toBe('transparent proxy cleanup completed successfully');
  });

  it('restores the tables in flush mode without any Kuma line (empty nat table emptied)', async () => {
    const { profile, sys, log, inputs } = await setup(kumaNat, { code: 0 });
    const r = await uninstall(defaultConfig(), profile, log, sys);
    expect(r.cleaned).toEqual(['ipv4', 'ipv6']);
    expect(sys.calls).toContain('/usr/sbin/iptables-nft-restore');
    expect(inputs).toEqual(['*nat\nCOMMIT\n', '*nat\nCOMMIT\n']);
  });

  it('dry run prints the rules after cleanup and restores nothing, not even resolv.conf', async () => {
    const { profile, sys, log, lines, inputs } = await setup(kumaNat.replace('COMMIT', '-A OUTPUT -j ACCEPT\nCOMMIT'), { code: 0 });
    await uninstall({ ...defaultConfig(), dryRun: true }, profile, log, sys);
    expect(inputs).toEqual([]);
    expect(lines).toContain('[dry-run]: rules after cleanup:');
    expect(lines.join('\n')).toContain('-A OUTPUT -j ACCEPT');
    expect(lines).toContain('nameserver 10.96.0.10');
  });

  it('only warns when restore --test segfaults (Debian bug 960003), and refuses other --test failures', async () => {
    const segv = await setup(kumaNat, { code: 139, stderr: 'Segmentation fault' });
    await uninstall(defaultConfig(), segv.profile, segv.log, segv.sys);
    expect(segv.lines.some((l) => l.startsWith('WARNING cannot confirm rules are valid'))).toBe(true);
    expect(segv.inputs).toHaveLength(2);

    const bad = await setup(kumaNat, { code: 2, stderr: 'iptables-restore: line 3 failed' });
    await expect(uninstall(defaultConfig(), bad.profile, bad.log, bad.sys)).rejects.toThrow(
      /verification of new rules after cleanup failed: rules are invalid: iptables-restore: line 3 failed/,
    );
  });
});
