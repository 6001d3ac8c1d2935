// `kuma-init install transparent-proxy-validator` (Kuma 2.13's
// `kumactl install transparent-proxy-validator`): run as the kuma-dp UID in
// the pod network namespace (CNI mode), it proves the redirect works. For each
// family a server listens on the loopback address at the inbound port; the
// client binds the same loopback address (so the "from 127.0.0.6" RETURN rule
// does not apply) and dials 127.0.0.6 / ::6 on a random port where nothing
// listens. Only the "kuma-dp traffic to lo, not to 127.0.0.1" rule can turn
// that into a connection to the server, and the server's token proves it did.
import { networkInterfaces } from 'node:os';
import type { IpFamilyMode } from '../config/index.ts';
import { type ValidatorLog, VALIDATOR_LOGGER, consoleValidatorLog } from './log.ts';
import type { ValidatorOptions } from './options.ts';
import { KUMA_PROBE_TIMING, type ProbeTiming, exchangeToken, randomProbePort, startTokenServer } from './token-probe.ts';

export class ValidationFailedError extends Error {
  readonly code = 'KUMA_INIT_VALIDATION_FAILED';
}

export const CLIENT_FAILED_MESSAGE =
  'client failed to connect to the verification server after retries - most likely the transparent proxy is not established correctly, please check CNI logs';

interface FamilyPlan {
  family: 'ipv4' | 'ipv6';
  /** Where the server listens and what the client binds. */
  loopback: string;
  /** The inbound passthrough address the client dials. */
  connectIp: string;
}

const FAMILIES: readonly FamilyPlan[] = [
  { family: 'ipv4', loopback: '127.0.0.1', connectIp: '127.0.0.6' },
  { family: 'ipv6', loopback: '::1', connectIp: '::6' },
];

/** Kuma's HasLocalIPv6: any IPv6 address other than ::1 (so ::6 on lo counts, as in Go). */
export function hasLocalIPv6(): boolean {
  return Object.values(networkInterfaces()).some((addrs) =>
    (addrs ?? []).some((a) => a.family === 'IPv6' && a.address !== '::1' && !a.address.startsWith('::ffff:')),
  );
}

/** Kuma 2.13.10's shouldSkipValidation: IPv4 always runs; IPv6 only in dualstack with a local IPv6 address. */
export function shouldSkipFamily(family: 'ipv4' | 'ipv6', ipFamilyMode: IpFamilyMode, localIPv6: boolean): boolean {
  return family === 'ipv6' && (!localIPv6 || ipFamilyMode === 'ipv4');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function validateFamily(plan: FamilyPlan, serverPort: number, timing: ProbeTiming, log: ValidatorLog): Promise<void> {
  const logger = `${VALIDATOR_LOGGER}.${plan.family}`;
  log.info(logger, 'starting iptables validation');
  const server = await startTokenServer(plan.loopback, serverPort, (address) =>
    log.info(logger, 'connection established', { address }),
  );
  log.info(logger, 'server is listening', { address: server.address });
  try {
    let lastError: Error | undefined;
    for (let attempt = 1; attempt <= timing.attempts; attempt++) {
      try {
        await exchangeToken(plan.loopback, plan.connectIp, randomProbePort(), server.token, timing);
        log.info(logger, 'client successfully connected to the server');
        log.info(logger, 'validation successful, iptables rules applied correctly');
        return;
      } catch (e) {
        lastError = e as Error;
        log.info(logger, 'failed to connect to the server, retrying...', { error: lastError.message });
        if (attempt < timing.attempts) await sleep(timing.retryIntervalMs);
      }
    }
    throw new Error(`${CLIENT_FAILED_MESSAGE}: ${lastError?.message ?? 'no attempt made'}`);
  } finally {
    await server.close();
  }
}

export interface RunValidatorExtras {
  /** Retry and timeout knobs; Kuma's values by default. */
  timing?: Partial<ProbeTiming>;
  /** Overrides the local IPv6 detection (tests). */
  localIPv6?: boolean;
}

/**
 * Validates IPv4, then IPv6 (both always run, as in Kuma). Resolves on success;
 * rejects with ValidationFailedError("validation failed: ...") otherwise.
 */
export async function runValidator(
  options: ValidatorOptions,
  log: ValidatorLog = consoleValidatorLog(),
  extras: RunValidatorExtras = {},
): Promise<void> {
  const timing = { ...KUMA_PROBE_TIMING, ...extras.timing };
  const localIPv6 = extras.localIPv6 ?? hasLocalIPv6();
  const failures: string[] = [];
  for (const plan of FAMILIES) {
    if (shouldSkipFamily(plan.family, options.ipFamilyMode, localIPv6)) continue;
    try {
      await validateFamily(plan, options.serverPort, timing, log);
    } catch (e) {
      failures.push((e as Error).message);
    }
  }
  // Kuma joins the two errors with a newline; one line keeps the CLI's "one-line error" promise.
  if (failures.length) throw new ValidationFailedError(`validation failed: ${failures.join('; ')}`);
}
