// kuma-cni's log: the file, the node agent's stderr found by argv[0] (Kuma's
// takeover of /install-cni's fd 2), levels, bounded fields.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatLine, openCniLog, pidsOf } from './log.ts';

const dir = mkdtempSync(join(tmpdir(), 'kuma-cni-log-'));

describe('kuma-cni log', () => {
  it('writes to the file and to the stderr of the one process whose argv[0] is the agent', async () => {
    const agentArgv0 = `/install-cni-test-${process.pid}`;
    const agentStderr = join(dir, 'agent-stderr');
    const agent = spawn('bash', ['-c', `exec -a ${agentArgv0} sleep 30`], { stdio: ['ignore', 'ignore', openSync(agentStderr, 'w')] });
    try {
      for (let i = 0; i < 50 && pidsOf(agentArgv0).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(pidsOf(agentArgv0)).toEqual([agent.pid]);
      const file = join(dir, 'kuma-cni.log');
      const log = openCniLog(file, agentArgv0);
      expect(log.agentPid).toBe(agent.pid);
      log.debug('before the level is known');
      log.setLevel('info');
      log.debug('hidden');
      log.info('pod excluded', { reason: 'namespace is in the exclude list' });
      log.close();
      for (const text of [readFileSync(file, 'utf8'), readFileSync(agentStderr, 'utf8')]) {
        expect(text).toContain('\tDEBUG\tkuma-cni\tbefore the level is known\n');
        expect(text).toContain('\tINFO\tkuma-cni\tpod excluded\t{"reason":"namespace is in the exclude list"}\n');
        expect(text).not.toContain('hidden');
      }
    } finally {
      agent.kill();
    }
  });

  it('logs to the file only when no agent runs; level off writes nothing', () => {
    const file = join(dir, 'alone.log');
    const log = openCniLog(file, `/no-such-agent-${process.pid}`);
    expect(log.agentPid).toBeUndefined();
    log.setLevel('off');
    log.info('silent');
    log.close();
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('bounds fields taken from requests', () => {
    const line = formatLine('INFO', 'm', { value: 'x'.repeat(5000) });
    expect(line.length).toBeLessThan(1200);
  });
});
