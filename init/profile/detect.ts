// Environment profile detection, done once per run: loopback name, users,
// nameservers, IPv6 usability and, per family, the iptables backend and what
// it supports (Kuma 2.13 `Config.Initialize`, pkg/transparentproxy/config/config.go). Our addition:
// `config.iptablesMode` ('legacy' | 'nft') restricts detection to one backend.
import type { TransparentProxyConfig } from '../config/index.ts';
import { ApplyError, type NetInterface, systemDeps, type SystemDeps } from '../system/index.ts';
import { explicitExecutables, isStandardMultiBinary, locateExecutables, VersionCache } from './executables.ts';
import { assumeFunctionality, probeFunctionality, unmetRequirements } from './functionality.ts';
import { detectNftables } from './nftables.ts';
import { hasNonLoopbackIPv6, parseNameservers, parsePasswd } from './parse.ts';
import type { EnvironmentProfile, FamilyProfile, IpFamily, IptablesMode } from './profile.ts';

type Warn = (message: string, family?: IpFamily) => void;
type Probe = { ok: true; family: FamilyProfile } | { ok: false; error: string };

/** A family with no usable executables: everything absent (dry run without iptables). */
export function emptyFamily(): FamilyProfile {
  return {
    modules: { owner: false, tcp: false, udp: false, comment: false, conntrack: false, multiport: false },
    tables: { nat: false, raw: false, mangle: false },
    dockerOutput: false,
    existingRules: false,
  };
}

/** Executables and functionality of one backend for one family; `assume`: modules and tables assumed for the standard binaries (DetectOptions.assumeModules). */
export async function probeBackend(deps: SystemDeps, versions: VersionCache, family: IpFamily, mode: IptablesMode, assume: boolean): Promise<Probe> {
  const located = await locateExecutables(deps, versions, family, mode);
  if (!located.ok) return located;
  if (assume && isStandardMultiBinary(deps, located.executables)) {
    const assumed = await assumeFunctionality(deps, located.executables, family);
    if (assumed) {
      const { version, ...functionality } = assumed;
      return { ok: true, family: { executables: { ...located.executables, version }, ...functionality } };
    }
  }
  return withFunctionality(deps, located.executables);
}

async function withFunctionality(deps: SystemDeps, executables: NonNullable<FamilyProfile['executables']>): Promise<Probe> {
  const functionality = await probeFunctionality(deps, executables);
  const unmet = unmetRequirements(functionality);
  return unmet ? { ok: false, error: unmet } : { ok: true, family: { executables, ...functionality } };
}

/** Explicit `iptablesExecutables` paths for a family, when configured and usable (else a warning). */
async function fromExplicitPaths(config: TransparentProxyConfig, deps: SystemDeps, versions: VersionCache, family: IpFamily, warn: Warn) {
  const explicit = await explicitExecutables(deps, versions, family, config.iptablesExecutables);
  if (!explicit) return undefined;
  if ('warning' in explicit) {
    warn(explicit.warning, family);
    return undefined;
  }
  const probe = await withFunctionality(deps, explicit.executables);
  if (!probe.ok) {
    warn(`failed to initialize executables from the provided paths; automatic detection will proceed: ${probe.error}`, family);
    return undefined;
  }
  return probe.family;
}

/** Kuma's IPv4 choice between nft and legacy (pkg/transparentproxy/config/config_executables.go). */
async function detectIPv4(
  config: TransparentProxyConfig,
  deps: SystemDeps,
  versions: VersionCache,
  warn: Warn,
  assume: boolean,
): Promise<FamilyProfile> {
  const explicit = await fromExplicitPaths(config, deps, versions, 'ipv4', warn);
  if (explicit) return explicit;

  if (config.iptablesMode !== 'auto') {
    const forced = await probeBackend(deps, versions, 'ipv4', config.iptablesMode, assume);
    if (forced.ok) return forced.family;
    throw new ApplyError(
      'NO_EXECUTABLES',
      `iptables backend '${config.iptablesMode}' (--iptables-mode) is not usable: ${forced.error}. Install iptables-${config.iptablesMode} or use --iptables-mode auto`,
    );
  }

  // Both backends are always probed (Kuma); they share no tables, so side by side. Within a backend the
  // slow path's table probes keep Kuma's order, which decides iptables-legacy-save's table order.
  const [nft, legacy] = await Promise.all([
    probeBackend(deps, versions, 'ipv4', 'nft', assume),
    probeBackend(deps, versions, 'ipv4', 'legacy', assume),
  ]);
  if (!nft.ok && !legacy.ok) {
    if (config.dryRun) {
      warn(
        '[dry-run]: no valid iptables executables found; the generated iptables rules may differ from those generated in an environment with valid iptables executables',
        'ipv4',
      );
      return emptyFamily();
    }
    throw new ApplyError(
      'NO_EXECUTABLES',
      `unable to initialize IPv4 executables: failed to find valid nft or legacy executables: ${nft.error}\n${legacy.error}. Install iptables (nft or legacy) in the init image`,
    );
  }
  if (!legacy.ok) return (nft as Extract<Probe, { ok: true }>).family;
  if (!nft.ok) return legacy.family;
  if (nft.family.existingRules && legacy.family.existingRules) {
    if (nft.family.dockerOutput === legacy.family.dockerOutput) {
      warn(
        'conflicting iptables modes detected; both iptables-nft and iptables-legacy have existing rules and/or custom chains. To avoid potential conflicts, iptables-legacy will be ignored, and iptables-nft will be used',
        'ipv4',
      );
      return nft.family;
    }
    return legacy.family.dockerOutput ? legacy.family : nft.family;
  }
  return legacy.family.existingRules ? legacy.family : nft.family;
}

/** IPv6 executables follow the IPv4 mode; failure only warns. */
async function detectIPv6(
  config: TransparentProxyConfig,
  deps: SystemDeps,
  versions: VersionCache,
  mode: IptablesMode,
  warn: Warn,
  assume: boolean,
) {
  const explicit = await fromExplicitPaths(config, deps, versions, 'ipv6', warn);
  if (explicit) return explicit;
  const probe = await probeBackend(deps, versions, 'ipv6', mode, assume);
  if (probe.ok) return probe.family;
  warn(`failed to initialize IPv6 executables: ${probe.error}`, 'ipv6');
  return undefined;
}

/** `ip -6 addr add ::6/128 dev lo` (Kuma uses netlink); an existing address is fine, so it is not even added again. */
async function addInboundPassthroughIPv6(deps: SystemDeps, loopback: NetInterface): Promise<{ message: string; ipMissing: boolean } | undefined> {
  if (loopback.addresses.some((a) => a.family === 'IPv6' && a.address === '::6')) return undefined;
  const r = await deps.run('ip', ['-6', 'addr', 'add', '::6/128', 'dev', 'lo'], { env: deps.env });
  // Already there: netlink's EEXIST, which iproute2 words "File exists" or (IPv6) "address already assigned".
  if (r.code === 0 || /file exists|address already assigned/i.test(r.stderr)) return undefined;
  // 127: `ip` could not be started (init/system/run.ts).
  return { message: `failed to add IPv6 address ::6/128 to loopback interface: ${r.stderr.trim()}`, ipMissing: r.code === 127 };
}

async function readUsers(deps: SystemDeps) {
  try {
    return parsePasswd(await deps.readFile('/etc/passwd'));
  } catch {
    return [];
  }
}

async function readNameservers(config: TransparentProxyConfig, deps: SystemDeps): Promise<string[]> {
  const dns = config.redirect.dns;
  if (!dns.enabled || dns.captureAll) return [];
  try {
    return parseNameservers(await deps.readFile(dns.resolvConfigPath));
  } catch (e) {
    throw new ApplyError(
      'RESOLV_CONF_UNREADABLE',
      `unable to initialize IPv4 redirect configuration: unable to initialize .DNS: unable to read file ${dns.resolvConfigPath}: ${(e as Error).message}. Mount a resolv.conf or enable redirect.dns.captureAll`,
    );
  }
}

export interface DetectOptions {
  /**
   * The install's assumption (docs/tproxy-apply.md §3): backends recognised by
   * their multi-call binary, no module or table probes, one iptables-save per
   * family kept as the install's snapshot. Families it applies to are marked
   * `assumed`; the install's restore proves them.
   */
  assumeModules?: boolean;
}

/**
 * Detects everything the renderer and the executor need, once, in Kuma's
 * order: users, loopback and IPv4 executables (side by side), nameservers,
 * then IPv6 (the `::6/128` address on `lo` and executables of IPv4's mode,
 * side by side).
 * Side effects: without `assumeModules`, as in Kuma, the legacy probes
 * instantiate legacy tables (with it none are created; when legacy is the
 * backend, its install creates them, see exec/install.ts), IPv6's also when
 * `::6/128` then cannot be added; in dual-stack mode `::6/128` is added to
 * `lo` (also in a dry run).
 */
export async function detectProfile(
  config: TransparentProxyConfig,
  deps: SystemDeps = systemDeps(),
  options: DetectOptions = {},
): Promise<EnvironmentProfile> {
  const assume = options.assumeModules === true;
  const warnings: Array<{ family?: IpFamily; message: string }> = [];
  const warn: Warn = (message, family) => warnings.push({ family, message });
  const versions = new VersionCache(deps, assume);

  const users = await readUsers(deps);
  // The interface list and IPv4's executables do not depend on each other, and where each is a process
  // (a pod netns entered with nsenter) both run side by side. Kuma's order of failures stays: no loopback first.
  const [listed, detectedIPv4] = await Promise.allSettled([
    deps.interfaces(),
    // --nftables: nft instead of iptables executables, in the same step (docs/nftables.md).
    config.nftables
      ? detectNftables(deps, config.dryRun, warn).then((nft) => ({ nft, ipv4: nft.ipv4 }))
      : detectIPv4(config, deps, versions, warn, assume).then((ipv4) => ({ nft: undefined, ipv4 })),
  ]);
  if (listed.status === 'rejected') throw listed.reason;
  const interfaces = listed.value;
  const loopback = interfaces.find((i) => i.loopback);
  if (!loopback) {
    throw new ApplyError(
      'NO_LOOPBACK',
      'unable to initialize loopback interface name: no loopback interface found on the system. Run kuma-init inside the pod network namespace',
    );
  }
  if (detectedIPv4.status === 'rejected') throw detectedIPv4.reason;
  const { nft, ipv4 } = detectedIPv4.value;
  const nameservers = await readNameservers(config, deps);
  const profile = (ipv6: FamilyProfile | undefined): EnvironmentProfile => ({
    loopbackName: loopback.name,
    users,
    nameservers,
    ipv6Usable: ipv6 !== undefined,
    ipv4,
    ipv6: ipv6 ?? emptyFamily(),
    warnings,
    ...(nft?.nftables ? { nftables: nft.nftables } : {}),
  });

  if (config.ipFamilyMode !== 'dualstack' || !(ipv4.executables || nft)) return profile(undefined);
  if (!hasNonLoopbackIPv6(interfaces)) {
    if (config.verbose) warn('IPv6 initialization skipped due to missing or faulty IPv6 support: no local IPv6 addresses detected', 'ipv6');
    return profile(undefined);
  }
  // The address and IPv6's executables do not depend on each other: side by side too. IPv6's warnings
  // count only when the address could be added (Kuma looks for the executables only then).
  const ipv6Warnings: typeof warnings = [];
  const [failure, ipv6] = await Promise.all([
    addInboundPassthroughIPv6(deps, loopback),
    nft ? Promise.resolve(nft.ipv6) : detectIPv6(config, deps, versions, ipv4.executables!.mode, (message, family) => ipv6Warnings.push({ family, message }), assume),
  ]);
  if (failure) {
    // Kuma warns only with --verbose; a missing `ip` on a pod with IPv6 addresses would silently leave IPv6 unredirected.
    if (failure.ipMissing) {
      warn(`the pod has IPv6 addresses but the 'ip' command (iproute2) could not be run, so IPv6 traffic will not be redirected: ${failure.message}. Install iproute2 in the init image, or set --ip-family-mode ipv4 to silence this`, 'ipv6');
    } else if (config.verbose) warn(`failed to configure IPv6 outbound address; IPv6 rules will be skipped: ${failure.message}`, 'ipv6');
    return profile(undefined);
  }
  warnings.push(...ipv6Warnings);
  return profile(ipv6);
}
