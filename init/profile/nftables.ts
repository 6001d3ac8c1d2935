// `--nftables`: what detection needs instead of iptables executables. The nft
// executable on PATH, and one `nft -y list ruleset`, which proves that nft can
// talk to the kernel's nf_tables (capabilities, kernel support) and gives, in
// the same process, our table as it is now (the install compares it with the
// rendered one) and whether Docker's DOCKER_OUTPUT chain is in an iptables-nft
// nat table (docs/nftables.md §5). Errors name what is missing.
import { ApplyError, type SystemDeps } from '../system/index.ts';
import type { FamilyProfile, IpFamily, NftablesProfile } from './profile.ts';

type Warn = (message: string, family?: IpFamily) => void;

const OUR_TABLE_HEADER = 'table inet kuma {';

export interface NftablesDetection {
  /** Undefined only in a dry run without a usable nft (then the rules are rendered anyway, as for iptables). */
  nftables?: NftablesProfile;
  ipv4: FamilyProfile;
  ipv6: FamilyProfile;
}

/** nft's features are not optional modules: every match and table the renderer asks about exists. */
function nftFamily(dockerOutput: boolean): FamilyProfile {
  return {
    modules: { owner: true, tcp: true, udp: true, comment: true, conntrack: true, multiport: true },
    tables: { nat: true, raw: true, mangle: true },
    dockerOutput,
    existingRules: false,
  };
}

/** One table's block of an `nft list ruleset` listing, as `nft list table` prints it. */
export function tableBlock(ruleset: string, header: string): string | undefined {
  const lines = ruleset.split('\n');
  const start = lines.indexOf(header);
  if (start < 0) return undefined;
  const end = lines.indexOf('}', start);
  return `${lines.slice(start, end + 1).join('\n')}\n`;
}

const hasDockerOutput = (ruleset: string, family: 'ip' | 'ip6') =>
  tableBlock(ruleset, `table ${family} nat {`)?.includes('\tchain DOCKER_OUTPUT {') === true;

function locateNft(deps: SystemDeps): string | undefined {
  return deps.pathDirs().map((dir) => `${dir}/nft`).find((path) => deps.isExecutable(path));
}

/** Why `nft` cannot be used, and what to do about it. */
function unusable(stderr: string): string {
  const reason = stderr.split('\n').map((l) => l.trim()).find(Boolean) ?? 'no error output';
  if (/Operation not permitted/i.test(stderr)) return `${reason}: kuma-init needs the NET_ADMIN capability`;
  if (/not supported/i.test(stderr)) return `${reason}: the kernel has no nf_tables (CONFIG_NF_TABLES, module nf_tables); drop --nftables to use iptables`;
  return reason;
}

export async function detectNftables(deps: SystemDeps, dryRun: boolean, warn: Warn): Promise<NftablesDetection> {
  const without = (message: string, code: 'NFT_NOT_FOUND' | 'NFT_UNUSABLE'): NftablesDetection => {
    if (!dryRun) throw new ApplyError(code, message);
    warn(`[dry-run]: ${message}; the rules are rendered all the same`);
    return { ipv4: nftFamily(false), ipv6: nftFamily(false) };
  };
  const nft = locateNft(deps);
  if (nft === undefined) {
    return without(
      `--nftables needs the nft executable, which is not on PATH (${deps.pathDirs().join(':')}). Install nftables in the init image, or drop --nftables to use iptables`,
      'NFT_NOT_FOUND',
    );
  }
  const listed = await deps.run(nft, ['-y', 'list', 'ruleset'], { env: deps.env });
  if (listed.code !== 0) return without(`${nft} cannot read the ruleset: ${unusable(listed.stderr)}`, 'NFT_UNUSABLE');
  // Kuma chains installed by iptables-nft would redirect next to ours (iptables-legacy ones nft cannot see).
  if (/^table ip6? nat \{[\s\S]*?^\tchain KUMA_MESH_/m.test(listed.stdout)) {
    warn('transparent proxy rules installed with iptables are present too; remove them with `kuma-init uninstall transparent-proxy` (without --nftables)');
  }
  return {
    nftables: { nft, installed: tableBlock(listed.stdout, OUR_TABLE_HEADER) },
    ipv4: nftFamily(hasDockerOutput(listed.stdout, 'ip')),
    ipv6: nftFamily(hasDockerOutput(listed.stdout, 'ip6')),
  };
}
