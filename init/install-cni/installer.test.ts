// The installer's passes over a node's dirs, in process: what one pass writes,
// and the bound on re-chaining against a primary plugin that rewrites its
// file every time.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAgentConfig } from './config.ts';
import { Installer } from './installer.ts';
import { consoleAgentLog } from './log.ts';
import { makeNodeDirs, type NodeDirs } from '../../test-support/init/install-cni/node-dirs.ts';

const PRIMARY = '{"name":"k8s-pod-network","cniVersion":"0.3.1","plugins":[{"type":"ptp"}]}';

describe('Installer', () => {
  let node: NodeDirs;
  beforeEach(() => {
    node = makeNodeDirs();
  });
  afterEach(() => node.remove());

  const installer = () => new Installer(loadAgentConfig(node.env), consoleAgentLog('off'));

  it('writes nothing on a pass that finds everything in place', async () => {
    const conflist = join(node.confDir, '10-ptp.conflist');
    writeFileSync(conflist, PRIMARY);
    const agent = installer();
    expect(await agent.reconcile()).toEqual([]);
    const chained = readFileSync(conflist, 'utf8');
    writeFileSync(conflist, chained); // same text, new mtime: still nothing to do
    expect(await agent.reconcile()).toEqual([]);
    expect(readFileSync(conflist, 'utf8')).toBe(chained);
    expect(await agent.problems()).toEqual([]);
  });

  it('re-chains at most 30 times a minute, then reports why it waits', async () => {
    const conflist = join(node.confDir, '10-ptp.conflist');
    const agent = installer();
    for (let i = 0; i < 30; i++) {
      writeFileSync(conflist, PRIMARY);
      expect(await agent.reconcile()).toEqual([]);
    }
    writeFileSync(conflist, PRIMARY);
    const [problem] = await agent.reconcile();
    expect(problem).toMatch(/was rewritten without kuma-cni 30 times within a minute; chaining again in \d+ s$/);
    expect(readFileSync(conflist, 'utf8')).toBe(PRIMARY);
    expect((await agent.problems()).join()).toContain('kuma-cni plugin is missing in the chained config file');
  });
});
