import { afterAll, describe, expect, it } from 'vitest';
import { missingRootTools } from '../../test-support/environment.ts';
import { connectPeer, createNetns, destroyAll, run, type Netns } from '../../test-support/init/netns.ts';

// One TCP exchange: a listener in `server`, a client in `client`; resolves with what the client read.
async function tcpExchange(server: Netns, client: Netns, family: 4 | 6, address: string): Promise<string> {
  const af = family === 4 ? 'AF_INET' : 'AF_INET6';
  const listener = server.run('python3', ['-c', `import socket
s=socket.socket(socket.${af}); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('${address}', 15999)); s.listen(1); s.settimeout(5)
c,_=s.accept(); c.sendall(b'pong'); c.close()`]);
  const connect = `import socket,time
for i in range(50):
  try:
    c=socket.create_connection(('${address}', 15999), timeout=2); break
  except OSError: time.sleep(0.1)
print(c.recv(10).decode())`;
  const reply = await client.runOk('python3', ['-c', connect]);
  await listener;
  return reply.trim();
}

describe.skipIf(missingRootTools('ip', 'iptables-legacy-save', 'python3'))('netns test harness', () => {
  afterAll(destroyAll);

  it('creates an isolated namespace with loopback up and removes it on destroy', async () => {
    const ns = await createNetns('harness');
    expect(await ns.runOk('ip', ['-o', 'link', 'show', 'lo'])).toMatch(/UP/);
    await ns.runOk('iptables-legacy', ['-t', 'nat', '-N', 'HARNESS_PROBE']);
    expect(await ns.iptablesSave('iptables-legacy-save', 'nat')).toContain(':HARNESS_PROBE - [0:0]');
    expect(await ns.iptablesSave('iptables-legacy-save', 'nat')).not.toMatch(/^# Generated/m);
    expect(await run('iptables-legacy-save', ['-t', 'nat']).then((r) => r.stdout)).not.toContain('HARNESS_PROBE');
    await ns.destroy();
    expect((await run('ip', ['netns', 'list'])).stdout).not.toContain(ns.name);
  });

  it('connects a test host over veth with IPv4 and IPv6', async () => {
    const ns = await createNetns('harness');
    const link = await connectPeer(ns);
    expect(await tcpExchange(link.host, ns, 4, link.ipv4.host)).toBe('pong');
    expect(await tcpExchange(link.host, ns, 6, link.ipv6.host)).toBe('pong');
    await link.host.destroy();
    await ns.destroy();
  });
});
