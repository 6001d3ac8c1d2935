// The CNI-mode validator in a real pod-like namespace, run as the kuma-dp UID
// in its own process (as the kuma-validation container runs it): it passes
// after a real kuma-init install, and fails with a clear message without rules
// and when the redirect leads to a listener that is not the validator.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { missingRootTools } from '../../test-support/environment.ts';
import { connectPeer, createNetns, destroyAll, type Netns } from '../../test-support/init/netns.ts';
import { startListeners, stopAllListeners, type ProbeServer } from '../../test-support/init/traffic.ts';
import { removeReadablePrograms } from '../../test-support/init/readable-programs.ts';
import { KUMA_DP, kumaInitInstall, kumaInitUninstall } from '../../test-support/init/traffic-setup.ts';
import { runKumaInitIn, runValidatorIn } from '../../test-support/init/traffic-validator.ts';

/** Fast failures: 3 attempts 100 ms apart instead of Kuma's 11 × 1 s. */
const quick = { attempts: 3, retryIntervalMs: 100, replyTimeoutMs: 300 };
const FAILED = 'validation failed: client failed to connect to the verification server after retries';

// What ran as another UID was built into a temporary folder (readable-programs.ts).
afterAll(removeReadablePrograms);

describe.skipIf(missingRootTools('ip', 'iptables-legacy', 'iptables-nft', 'ip6tables-nft', 'setpriv', 'python3'))(
  'transparent-proxy-validator in a network namespace',
  () => {
    afterAll(async () => {
      stopAllListeners();
      await destroyAll();
    });

    describe.each(['legacy', 'nft'] as const)('after a real install (%s)', (backend) => {
      let pod: Netns;
      const args = ['--iptables-mode', backend];
      beforeAll(async () => {
        pod = await createNetns('val');
        await connectPeer(pod); // a non-loopback IPv6 address, so IPv6 is installed and validated
        await kumaInitInstall(pod, args);
      });

      it('passes for IPv4 and IPv6 with Kuma\'s messages', async () => {
        const r = await runValidatorIn(pod, KUMA_DP, { ipFamilyMode: 'dualstack', validationServerPort: '15006' });
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        for (const family of ['ipv4', 'ipv6']) {
          expect(r.stdout).toMatch(
            new RegExp(`\\tINFO\\ttransparentproxy\\.validator\\.${family}\\tvalidation successful, iptables rules applied correctly\\n`),
          );
        }
      });

      it('passes through the CLI with the arguments Kuma 2.13\'s injector gives kuma-validation', async () => {
        const r = await runKumaInitIn(pod, KUMA_DP, [
          'install',
          'transparent-proxy-validator',
          '--config-file=/tmp/.kumactl',
          '--ip-family-mode=dualstack',
          '--validation-server-port=15006',
        ]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('transparentproxy.validator.ipv6\tvalidation successful, iptables rules applied correctly');
      });

      it('passes with the port taken from --transparent-proxy-config (stdin is not used)', async () => {
        const r = await runValidatorIn(pod, KUMA_DP, { validationServerPort: '1', transparentProxyConfig: [''] });
        expect(r.code).toBe(0);
      });

      it('fails when a UID other than kuma-dp runs it (the redirect is for kuma-dp only)', async () => {
        const r = await runValidatorIn(pod, { uid: 4242, gid: 4242 }, {}, quick);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain(FAILED);
      });

      describe('when the redirect leads elsewhere', () => {
        let impostor: ProbeServer | undefined;
        afterEach(async () => {
          await impostor?.stop();
        });

        it('fails if another listener answers on the inbound port', async () => {
          // The rules send 127.0.0.6:* to 15006, where this impostor answers;
          // the validator's own server listens on 15007 and is never reached.
          impostor = await startListeners(pod, [
            { name: 'impostor', proto: 'tcp', addr: '127.0.0.1', port: 15006 },
            { name: 'impostor', proto: 'tcp', addr: '::1', port: 15006 },
          ]);
          const r = await runValidatorIn(pod, KUMA_DP, { validationServerPort: '15007' }, quick);
          expect(r.code).not.toBe(0);
          expect(r.stderr).toContain(FAILED);
          expect(r.stderr).toMatch(/received "impostor [^"]*" instead of the validation token: the connection reached a different listener/);
        });

        it('fails if a listener on the inbound port accepts but never answers', async () => {
          impostor = await startListeners(pod, [
            { name: 'silent', proto: 'hold', addr: '127.0.0.1', port: 15006 },
            { name: 'silent', proto: 'hold', addr: '::1', port: 15006 },
          ]);
          const r = await runValidatorIn(pod, KUMA_DP, { validationServerPort: '15007' }, quick);
          expect(r.code).not.toBe(0);
          expect(r.stderr).toContain(FAILED);
          expect(r.stderr).toContain('no token arrived within 300ms: something accepted the connection without forwarding it');
        });
      });

      it('fails once the rules are uninstalled', async () => {
        await kumaInitUninstall(pod);
        const r = await runValidatorIn(pod, KUMA_DP, {}, quick);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(new RegExp(`^Error: ${FAILED}.*dial tcp 127\\.0\\.0\\.6:2\\d{4}: connect: connection refused`));
      });
    });

    it('fails in a namespace without rules, IPv4 only when there is no IPv6 address', async () => {
      const bare = await createNetns('val-bare');
      const r = await runValidatorIn(bare, KUMA_DP, {}, quick);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`${FAILED} - most likely the transparent proxy is not established correctly, please check CNI logs`);
      expect(r.stdout).toContain('transparentproxy.validator.ipv4');
      expect(r.stdout).not.toContain('transparentproxy.validator.ipv6');
      expect(r.stdout.match(/failed to connect to the server, retrying\.\.\./g)).toHaveLength(quick.attempts);
    });
  },
);
