// What Kuma 2.13.10's install_transparent_proxy_test.go checks, shared by the
// tests that hold kuma-init to it (in-process renderer, CLI, CLI in a netns):
// its output normalisation, its golden files and its error cases.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conformanceDir } from '../environment.ts';

/** Kuma's WithTransform: placeholders for the environment-dependent parts of a dry run. */
export function normaliseKumactlOutput(stdout: string): string {
  return stdout
    .replace(/-o ([^ ]+)/g, '-o ifPlaceholder')
    .replace(/-m comment --comment ".*?" /g, '')
    .replace(
      /^-I OUTPUT (\d+) -p udp --dport 53 -m owner --uid-owner (\d+) -j (\w+)$/gm,
      '-I OUTPUT $1 -p udp --dport 53 -m owner --uid-owner $2 -j dnsJumpTargetPlaceholder',
    );
}

/** A golden file of app/kumactl/cmd/install/testdata, from the conformance data. */
export function kumactlGolden(name: string): string {
  return readFileSync(join(conformanceDir(), 'kumactl', name), 'utf8');
}

/** The arguments of Kuma's "outbound exclude ports for uids" cases. */
export const EXCLUDED_PORTS_FOR_UIDS_ARGS: readonly string[] = [
  '--kuma-dp-user', 'root',
  '--exclude-outbound-ports-for-uids', 'tcp:1900,1902,1000-2000:106-108',
  '--exclude-outbound-ports-for-uids', 'tcp:2900,2902,3000-5000:203',
  '--exclude-outbound-ports-for-uids', 'udp:3900,3902,4000-6000:303',
];

/** Kuma's `--exclude-outbound-ports-for-uids` error table: the value and the parser's message. */
export const EXCLUDE_FOR_UIDS_ERROR_CASES: ReadonlyArray<readonly [string, string]> = [
  ['a3000-5000:1', "invalid port range: validation failed for value or range 'a3000-5000': invalid uint16 value: 'a3000'"],
  ['http:3000-5000:1', "invalid or unsupported protocol: 'http'"],
  ['3000-5000:1:*', "wildcard '*' is not allowed for UIDs"],
  ['3000-5000:1:1,2,3', "invalid UID entry: '1,2,3'. It should either be a single item or a range"],
  ['tcp,http:1:1', "invalid or unsupported protocol: 'http'"],
];

/** How the UID-exclusion parser wraps its message. */
export const UIDS_PARSE_FAILED = 'parsing excluded outbound ports for uids failed: ';

/** The config loader's context for an outbound-exclusion error. */
export const OUTBOUND_CONFIG_CHAIN = 'failed to initialize config: unable to initialize IPv4 redirect configuration: unable to initialize .Outbound: ';

/** kumactl's whole stderr for an error case (cobra prints `Error: <message>`). */
export const excludeForUidsStderr = (message: string): string => `Error: ${OUTBOUND_CONFIG_CHAIN}${UIDS_PARSE_FAILED}${message}\n`;
