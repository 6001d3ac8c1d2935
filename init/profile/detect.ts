// Environment profile detection, done once per run: loopback name, users,
// nameservers, IPv6 usability and, per family, the iptables backend and what
// it supports (Kuma 2.13 `Config.Initialize`, tproxy spec §3). Our addition:
// `config.iptablesMode` ('legacy' | 'nft') restricts detection to one backend.
import type { TransparentProxyConfig } from '../config/config.ts';
import { ApplyError } from '../exec/errors.ts';
import { systemDeps, type NetInterface, type SystemDeps } from './deps.ts';
import { explicitExecutables, isStandardMultiBinary, locateExecutables, VersionCache } from './executables.ts';
import { assumeFunctionality, noLegacyTables, probeFunctionality, unmetRequirements } from './functionality.ts';
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

/** Executables and functionality of one backend for one family; `fast`: functionality assumed for the standard binaries. */
export async function probeBackend(deps: SystemDeps, versions: VersionCache, family: IpFamily, mode: IptablesMode, fast: boolean): Promise<Probe> {
  const located = await locateExecutables(deps, versions, family, mode);
  if (!located.ok) return located;
  if (fast && isStandardMultiBinary(deps, located.executables)) {
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

/** Kuma's IPv4 choice between nft and legacy (tproxy spec §3.3 step 4). */
async function detectIPv4(
  config: TransparentProxyConfig,
  deps: SystemDeps,
  versions: VersionCache,
  warn: Warn,
  fast: boolean,
): Promise<FamilyProfile> {
  const explicit = await fromExplicitPaths(config, deps, versions, 'ipv4', warn);
  if (explicit) return explicit;

  if (config.iptablesMode !== 'auto') {
    const forced = await probeBackend(deps, versions, 'ipv4', config.iptablesMode, fast);
    if (forced.ok) return forced.family;
    throw new ApplyError(
      'NO_EXECUTABLES',
      `iptables backend '${config.iptablesMode}' (--iptables-mode) is not usable: ${forced.error}. Install iptables-${config.iptablesMode} or use --iptables-mode auto`,
    );
  }

  // Both backends are always probed (Kuma); they share no tables, so side by side. Within a backend the
  // slow path's table probes keep Kuma's order, which decides iptables-legacy-save's table order.
  const [nft, legacy] = await Promise.all([
    probeBackend(deps, versions, 'ipv4', 'nft', fast),
    probeBackend(deps, versions, 'ipv4', 'legacy', fast),
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
  fast: boolean,
) {
  const explicit = await fromExplicitPaths(config, deps, versions, 'ipv6', warn);
  if (explicit) return explicit;
  const probe = await probeBackend(deps, versions, 'ipv6', mode, fast);
  if (probe.ok) return probe.family;
  warn(`failed to initialize IPv6 executables: ${probe.error}`, 'ipv6');
  return undefined;
}

/** `ip -6 addr add ::6/128 dev lo` (Kuma uses netlink); an existing address is fine, so it is not even added again. */
async function addInboundPassthroughIPv6(deps: SystemDeps, loopback: NetInterface): Promise<string | undefined> {
  if (loopback.addresses.some((a) => a.family === 'IPv6' && a.address === '::6')) return undefined;
  const r = await deps.run('ip', ['-6', 'addr', 'add', '::6/128', 'dev', 'lo'], { env: deps.env });
  // Already there: netlink's EEXIST, which iproute2 words "File exists" or (IPv6) "address already assigned".
  if (r.code === 0 || /file exists|address already assigned/i.test(r.stderr)) return undefined;
  return `failed to add IPv6 address ::6/128 to loopback interface: ${r.stderr.trim()}`;
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
   * The install fast path (docs/tproxy-apply.md §3): backends recognised by
   * their multi-call binary, no module or table probes, one iptables-save per
   * family kept as the install's snapshot. Families it applies to are marked `assumed`.
   */
  fast?: boolean;
  /**
   * Fast path only: called once detection's processes are running, with the
   * profile they will most likely yield (functionality assumed, no
   * DOCKER_OUTPUT, IPv6 usable when wanted), so the caller can render in the
   * meantime (exec/pipeline.ts checks the guess against the real profile).
   */
  whileProbing?: (likely: EnvironmentProfile) => void;
  /**
   * Fast path with IPv4's backend known beforehand (a forced mode, or auto
   * without legacy tables) only: when the IPv6 executables are known but
   * `ip -6 addr add ::6/128 dev lo` is still running, detection does not wait
   * for it. It returns the profile of a successful add and hands over the real
   * profile (the same one, or the one without IPv6 when the add failed) as a
   * promise, so the caller can install IPv4 meanwhile (exec/pipeline.ts).
   */
  settleIPv6Later?: (settled: Promise<EnvironmentProfile>) => void;
}

/** What the fast path's probes most likely find (see DetectOptions.whileProbing). */
function likelyProfile(
  config: TransparentProxyConfig,
  loopbackName: string,
  users: EnvironmentProfile['users'],
  nameservers: string[],
  wantIPv6: boolean,
): EnvironmentProfile {
  const mode = config.iptablesMode === 'auto' ? 'nft' : config.iptablesMode;
  const family = (): FamilyProfile => ({
    executables: { mode, iptables: '', save: '', restore: '', version: '' },
    modules: { owner: true, tcp: true, udp: true, comment: true, conntrack: true, multiport: true },
    tables: { nat: true, raw: true, mangle: true },
    dockerOutput: false,
    existingRules: false,
    assumed: true,
  });
  return { loopbackName, users, nameservers, ipv6Usable: wantIPv6, ipv4: family(), ipv6: wantIPv6 ? family() : emptyFamily(), warnings: [] };
}

/**
 * Detects everything the renderer and the executor need, once.
 * Side effects: on the slow path, as in Kuma, the legacy probes instantiate
 * legacy tables (the fast path creates none; when legacy is the backend, its
 * install creates them, see exec/install.ts); in dual-stack mode `::6/128` is
 * added to `lo` (also in a dry run).
 */
export async function detectProfile(
  config: TransparentProxyConfig,
  deps: SystemDeps = systemDeps(),
  options: DetectOptions = {},
): Promise<EnvironmentProfile> {
  const fast = options.fast === true;
  const warnings: Array<{ family?: IpFamily; message: string }> = [];
  const warn: Warn = (message, family) => warnings.push({ family, message });
  const versions = new VersionCache(deps, fast);

  const users = await readUsers(deps);
  const interfaces = await deps.interfaces();
  const loopback = interfaces.find((i) => i.loopback);
  if (!loopback) {
    throw new ApplyError(
      'NO_LOOPBACK',
      'unable to initialize loopback interface name: no loopback interface found on the system. Run kuma-init inside the pod network namespace',
    );
  }
  // Fast path: the IPv6 steps need nothing from IPv4 detection when IPv4's backend is known beforehand, so
  // they run side by side with it (a failed IPv4 detection fails the install anyway); their warnings still
  // come after IPv4's. Known: a forced mode, or auto in a namespace without any legacy table, where legacy
  // holds no rule and Kuma's choice is nft whenever nft is usable (when it is not, the early IPv6 is dropped).
  const wantIPv6 = config.ipFamilyMode === 'dualstack' && hasNonLoopbackIPv6(interfaces);
  const knownMode: IptablesMode | undefined =
    config.iptablesMode !== 'auto' ? config.iptablesMode : fast && wantIPv6 && (await noLegacyTables(deps, 'ipv4')) ? 'nft' : undefined;
  // When the caller settles IPv6 later, `ip` starts once IPv4 is detected: its start would delay the saves'.
  const addLater = knownMode !== undefined && options.settleIPv6Later !== undefined;
  const early = fast && wantIPv6 && !addLater ? addInboundPassthroughIPv6(deps, loopback) : undefined;
  const earlyWarnings: typeof warnings = [];
  const earlyIPv6 = fast && wantIPv6 && knownMode
    ? detectIPv6(config, deps, versions, knownMode, (message, family) => earlyWarnings.push({ family, message }), fast)
    : undefined;
  earlyIPv6?.catch(() => undefined); // awaited below unless IPv4 detection throws first

  const ipv4Detection = detectIPv4(config, deps, versions, warn, fast);
  if (fast && options.whileProbing) {
    ipv4Detection.catch(() => undefined); // awaited below; a failure must not count as unhandled meanwhile
    await new Promise((resolve) => setImmediate(resolve)); // the probes' processes are started first
    // Read early for the guess only; the real read (and its error) keeps Kuma's place after IPv4.
    const nameservers = await readNameservers(config, deps).catch(() => undefined);
    if (nameservers) options.whileProbing(likelyProfile(config, loopback.name, users, nameservers, wantIPv6));
  }
  const ipv4 = await ipv4Detection;
  const nameservers = await readNameservers(config, deps);

  const profile = (ipv6: FamilyProfile | undefined, extra: typeof warnings = []): EnvironmentProfile => ({
    loopbackName: loopback.name,
    users,
    nameservers,
    ipv6Usable: ipv6 !== undefined,
    ipv4,
    ipv6: ipv6 ?? emptyFamily(),
    warnings: [...warnings, ...extra],
  });
  const addressFailed = (failure: string) =>
    config.verbose ? [{ family: 'ipv6' as const, message: `failed to configure IPv6 outbound address; IPv6 rules will be skipped: ${failure}` }] : [];

  if (config.ipFamilyMode !== 'dualstack' || !ipv4.executables) return profile(undefined);
  if (!wantIPv6) {
    if (config.verbose) warn('IPv6 initialization skipped due to missing or faulty IPv6 support: no local IPv6 addresses detected', 'ipv6');
    return profile(undefined);
  }
  if (earlyIPv6 && ipv4.executables.mode === knownMode) {
    const adding = early ?? addInboundPassthroughIPv6(deps, loopback);
    const ipv6 = await earlyIPv6;
    if (options.settleIPv6Later) {
      const likely = profile(ipv6, earlyWarnings);
      options.settleIPv6Later(adding.then((failure) => (failure ? profile(undefined, addressFailed(failure)) : likely)));
      return likely;
    }
    const failure = await adding;
    return failure ? profile(undefined, addressFailed(failure)) : profile(ipv6, earlyWarnings);
  }
  const failure = await (early ?? addInboundPassthroughIPv6(deps, loopback));
  if (failure) return profile(undefined, addressFailed(failure));
  return profile(await detectIPv6(config, deps, versions, ipv4.executables.mode, warn, fast));
}
