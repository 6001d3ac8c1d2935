// spawnCommand: the one place kuma-init starts processes (real processes, no root needed).
import { describe, expect, it } from 'vitest';
import { countSpawns, spawnCommand } from './run.ts';

describe('spawnCommand', () => {
  it('returns the exit code with stdout and stderr apart', async () => {
    expect(await spawnCommand('sh', ['-c', 'echo out; echo err >&2; exit 3'])).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('writes the input to stdin, and gives a command without input no stdin at all', async () => {
    expect((await spawnCommand('cat', [], { input: '*nat\nCOMMIT\n' })).stdout).toBe('*nat\nCOMMIT\n');
    // `ignore` is /dev/null: reading it ends at once.
    expect(await spawnCommand('sh', ['-c', 'cat; echo done'])).toEqual({ code: 0, stdout: 'done\n', stderr: '' });
  });

  it('survives a child that exits without reading a large input', async () => {
    expect((await spawnCommand('true', [], { input: 'x'.repeat(1 << 20) })).code).toBe(0);
  });

  it('reports a command that cannot start, or dies by a signal, as 127 with the reason', async () => {
    const missing = await spawnCommand('/nonexistent/iptables-save', []);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('ENOENT');
    const killed = await spawnCommand('sh', ['-c', 'kill -9 $$']);
    expect(killed).toEqual({ code: 127, stdout: '', stderr: 'sh was killed by SIGKILL' });
  });

  it('passes extra environment variables over the process environment', async () => {
    expect((await spawnCommand('sh', ['-c', 'echo "$XTABLES_LOCKFILE"'], { env: { XTABLES_LOCKFILE: '/tmp/x.lock' } })).stdout).toBe('/tmp/x.lock\n');
  });

  it('counts the processes started through it', async () => {
    const counter = countSpawns(spawnCommand);
    await counter.run('true', []);
    await counter.run('true', []);
    expect(counter.count()).toBe(2);
    counter.reset();
    expect(counter.count()).toBe(0);
  });
});
