// kuma-cni's log: the file, the node agent's stderr found by argv[0] (Kuma's
// takeover of /install-cni's fd 2) and remembered, levels, bounded fields.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findAgent, formatLine, openCniLog, pidsOf } from './log.ts';

const dir = mkdtempSync(join(tmpdir(), 'kuma-cni-log-'));
let cacheCount = 0;
const newCache = () => join(dir, `agent-cache-${++cacheCount}`);

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) child.kill();
});

/** A process whose argv[0] is `argv0`, once /proc shows it. */
async function fakeAgent(argv0: string, stderrFile = '/dev/null'): Promise<ChildProcess> {
  const child = spawn('bash', ['-c', `exec -a ${argv0} sleep 30`], { stdio: ['ignore', 'ignore', openSync(stderrFile, 'w')] });
  started.push(child);
  for (let i = 0; i < 100 && !pidsOf(argv0).includes(child.pid!); i++) await new Promise((r) => setTimeout(r, 20));
  return child;
}

describe('kuma-cni log', () => {
  it('writes to the file and to the stderr of the one process whose argv[0] is the agent', async () => {
    const agentArgv0 = `/install-cni-test-${process.pid}`;
    const agentStderr = join(dir, 'agent-stderr');
    const agent = await fakeAgent(agentArgv0, agentStderr);
    expect(pidsOf(agentArgv0)).toEqual([agent.pid]);
    const file = join(dir, 'kuma-cni.log');
    const log = openCniLog(file, agentArgv0, newCache());
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
  });

  it('remembers the agent it found, and scans again once that process is gone', async () => {
    const argv0 = `/install-cni-cache-${process.pid}`;
    const cache = newCache();
    const first = await fakeAgent(argv0);
    expect(findAgent(argv0, cache)).toBe(first.pid);
    expect(readFileSync(cache, 'utf8')).toMatch(new RegExp(`^${first.pid} \\d+\\n$`));
    // A second agent (a rollout): a scan finds two and picks none, as Kuma; the remembered one still answers.
    const second = await fakeAgent(argv0);
    expect(findAgent(argv0, newCache())).toBeUndefined();
    expect(findAgent(argv0, cache)).toBe(first.pid);
    const gone = new Promise((resolve) => first.on('exit', resolve));
    first.kill();
    await gone;
    expect(findAgent(argv0, cache)).toBe(second.pid);
  });

  it('trusts only its own file naming that very process', async () => {
    const argv0 = `/install-cni-trust-${process.pid}`;
    // Two agents: a scan picks none, so any answer comes from the file.
    const a = await fakeAgent(argv0);
    await fakeAgent(argv0);
    const stat = readFileSync(`/proc/${a.pid}/stat`, 'latin1');
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    const remembered = (text: string, mode: number) => {
      const file = newCache();
      writeFileSync(file, text);
      chmodSync(file, mode);
      return findAgent(argv0, file);
    };
    expect(remembered(`${a.pid} ${startTime}\n`, 0o600)).toBe(a.pid);
    expect(remembered(`${a.pid} ${startTime}\n`, 0o666)).toBeUndefined(); // others may write it
    expect(remembered(`${a.pid} ${Number(startTime) + 1}\n`, 0o600)).toBeUndefined(); // a reused pid
    expect(remembered(`${process.pid} ${startTime}\n`, 0o600)).toBeUndefined(); // not the agent
    expect(remembered('garbage', 0o600)).toBeUndefined();
  });

  it('logs to the file only when no agent runs; level off writes nothing', () => {
    const file = join(dir, 'alone.log');
    const log = openCniLog(file, `/no-such-agent-${process.pid}`, newCache());
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
