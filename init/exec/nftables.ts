// The nftables executor (`--nftables`, docs/nftables.md §1, §4): one `nft -f` per
// change, fed on stdin. Install replaces our `inet kuma` table in one
// transaction, or does nothing when detection listed it exactly as rendered;
// uninstall deletes it, in one transaction too, and touches nothing else.
import type { EnvironmentProfile, IpFamily, NftablesProfile } from '../profile/index.ts';
import { NFT_DELETE_SCRIPT, type NftRules } from '../rules/index.ts';
import { ApplyError, type SystemDeps } from '../system/index.ts';
import type { InstallResult } from './install.ts';
import type { ApplyLog } from './log.ts';

/** What a statement the kernel refused needs, so the error names what is missing. */
const FEATURES: ReadonlyArray<[RegExp, string]> = [
  [/type nat hook/, 'nat chains in an inet table (nft_chain_nat, nf_nat; Linux 5.2 or later)'],
  [/redirect to/, 'the redirect statement (nft_redir, nf_nat)'],
  [/ct zone set/, 'conntrack zones (nft_ct, CONFIG_NF_CONNTRACK_ZONES)'],
  [/ct state/, 'conntrack state matching (nft_ct, nf_conntrack)'],
  [/meta skuid/, 'socket owner matching (nft_meta)'],
  [/log prefix/, 'the log statement (nft_log)'],
  [/comment "/, 'rule comments (userdata)'],
];

/** nft's first error, the statement it points at, and the kernel feature that statement needs. */
export function nftFailure(stderr: string): string {
  const lines = stderr.split('\n');
  const errorAt = lines.findIndex((l) => /Error:/.test(l));
  if (errorAt < 0) return lines.map((l) => l.trim()).find(Boolean) ?? 'no error output';
  const error = lines[errorAt]!.replace(/^.*?Error:\s*/, '').trim();
  const statement = (lines[errorAt + 1] ?? '').trim();
  const feature = FEATURES.find(([pattern]) => pattern.test(statement))?.[1];
  return [error, statement && `in '${statement}'`, feature && `(needs ${feature})`].filter(Boolean).join(' ');
}

function requireNft(profile: EnvironmentProfile): NftablesProfile {
  if (profile.nftables) return profile.nftables;
  throw new ApplyError('NFT_NOT_FOUND', 'no usable nft executable was detected. Install nftables in the init image, or drop --nftables');
}

const families = (rules: NftRules, action: 'applied' | 'unchanged'): InstallResult['families'] =>
  rules.families.map((family: IpFamily) => ({ family, backend: 'nftables', action }));

export async function installNftables(profile: EnvironmentProfile, rules: NftRules, log: ApplyLog, deps: SystemDeps): Promise<InstallResult> {
  const { nft, installed } = requireNft(profile);
  if (installed === rules.table) {
    log.info('transparent proxy rules already installed as rendered (nftables table inet kuma); nothing to change');
    return { families: families(rules, 'unchanged'), spawned: 0 };
  }
  const r = await deps.run(nft, ['-f', '-'], { input: rules.script, env: deps.env });
  if (r.code !== 0) {
    throw new ApplyError(
      'NFT_FAILED',
      `${nft} -f failed: ${nftFailure(r.stderr)}; nothing was changed (one transaction). Load the missing kernel support, or drop --nftables to use iptables`,
    );
  }
  log.info(`transparent proxy rules installed in one transaction (nftables table inet kuma, ${rules.families.join(' and ')})`);
  return { families: families(rules, 'applied'), spawned: 1 };
}

export interface NftablesUninstallResult {
  removed: boolean;
  spawned: number;
}

/** Deletes our table, nothing else; a dry run only says what it would do. */
export async function uninstallNftables(profile: EnvironmentProfile, dryRun: boolean, log: ApplyLog, deps: SystemDeps): Promise<NftablesUninstallResult> {
  const { nft, installed } = requireNft(profile);
  if (installed === undefined) {
    log.info('no transparent proxy rules detected (no nftables table inet kuma). No cleanup necessary');
    return { removed: false, spawned: 0 };
  }
  if (dryRun) {
    log.info(`[dry-run]: would delete the nftables table inet kuma with:\n${NFT_DELETE_SCRIPT.trim()}`);
    return { removed: false, spawned: 0 };
  }
  const r = await deps.run(nft, ['-f', '-'], { input: NFT_DELETE_SCRIPT, env: deps.env });
  if (r.code !== 0) throw new ApplyError('NFT_FAILED', `${nft} -f failed to delete table inet kuma: ${nftFailure(r.stderr)}; nothing was changed`);
  log.info('cleanup of the transparent proxy rules completed successfully (nftables table inet kuma deleted)');
  return { removed: true, spawned: 1 };
}
