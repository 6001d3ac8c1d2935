import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ValidatorLog } from './log.ts';
import { runValidator, shouldSkipFamily } from './validator.ts';

describe('which families are validated (Kuma 2.13.10 shouldSkipValidation)', () => {
  it.each([
    ['ipv4', 'dualstack', false, false],
    ['ipv4', 'ipv4', false, false],
    ['ipv4', 'dualstack', true, false],
    ['ipv4', 'ipv4', true, false],
    ['ipv6', 'dualstack', false, true],
    ['ipv6', 'ipv4', false, true],
    ['ipv6', 'ipv4', true, true],
    ['ipv6', 'dualstack', true, false],
  ] as const)('%s, mode %s, local IPv6 %s → skip %s', (family, mode, localIPv6, skip) => {
    expect(shouldSkipFamily(family, mode, localIPv6)).toBe(skip);
  });
});

describe('runValidator without a redirect (loopback only)', () => {
  it('fails after the configured attempts with Kuma\'s message and logs each retry', async () => {
    const lines: string[] = [];
    const log: ValidatorLog = { info: (logger, message) => lines.push(`${logger} ${message}`) };
    // Port 0: any free port, so nothing else on this machine is disturbed. Nothing
    // listens on 127.0.0.6:2xxxx here unless this host redirects kuma-dp traffic.
    const run = runValidator({ ipFamilyMode: 'ipv4', serverPort: 0 }, log, { timing: { attempts: 2, retryIntervalMs: 10 } });
    await expect(run).rejects.toThrow(
      /^validation failed: client failed to connect to the verification server after retries - most likely the transparent proxy is not established correctly, please check CNI logs: dial tcp 127\.0\.0\.6:2\d{4}: /,
    );
    expect(lines.filter((l) => l.endsWith('failed to connect to the server, retrying...'))).toHaveLength(2);
    expect(lines[0]).toBe('transparentproxy.validator.ipv4 starting iptables validation');
  });

  it("reports a server that cannot listen with Go's wording", async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as AddressInfo).port;
    try {
      await expect(runValidator({ ipFamilyMode: 'ipv4', serverPort: port }, { info: () => undefined })).rejects.toThrow(
        `validation failed: listen tcp 127.0.0.1:${port}: bind: address already in use`,
      );
    } finally {
      busy.close();
    }
  });
});
