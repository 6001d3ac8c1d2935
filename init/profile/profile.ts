// What the machine (or pod network namespace) offers, detected once before
// rules are rendered. The renderer reads only this data, never the system, so
// tests build profiles by hand and need no root.

export type IptablesMode = 'legacy' | 'nft';
export type IpFamily = 'ipv4' | 'ipv6';

export interface Executables {
  mode: IptablesMode;
  iptables: string;
  save: string;
  restore: string;
  /** e.g. "1.8.9"; decides whether XTABLES_LOCKFILE is honoured and `--wait` is accepted. */
  version: string;
  /**
   * Paths came from `iptablesExecutables`: Kuma then treats the mode as unknown
   * and never adds `--wait` flags, even for a legacy binary.
   */
  fromConfig?: boolean;
}

export interface FamilyProfile {
  /** Undefined when no working executables were found for this family. */
  executables?: Executables;
  /** iptables match modules that load (`iptables -m <m> -h` exits 0). */
  modules: { owner: boolean; tcp: boolean; udp: boolean; comment: boolean; conntrack: boolean; multiport: boolean };
  /** Tables that exist (`iptables-save -t <table>` succeeds). */
  tables: { nat: boolean; raw: boolean; mangle: boolean };
  /** Docker's embedded-DNS chain is present in the nat table. */
  dockerOutput: boolean;
  /** Non-built-in rules or chains already exist in nat, raw or mangle. */
  existingRules: boolean;
  /**
   * detectProfile `{ assumeModules: true }`: modules and tables were assumed
   * present (standard xtables multi-binary), not probed; the install's restore
   * proves them and a capability failure sends the pipeline to Kuma's probes.
   */
  assumed?: boolean;
  /** iptables-save output read by detection, reused by install as its snapshot (no second save). */
  snapshot?: string;
}

export interface EnvironmentProfile {
  /** Name of the first loopback interface (normally `lo`). */
  loopbackName: string;
  /** Users from /etc/passwd, to resolve `kumaDPUser` names and UIDs. */
  users: ReadonlyArray<{ name: string; uid: number }>;
  /** `nameserver` values of the resolv.conf file, raw and in file order. */
  nameservers: readonly string[];
  /** Some interface has a non-loopback IPv6 address and `::6/128` could be put on loopback. */
  ipv6Usable: boolean;
  ipv4: FamilyProfile;
  ipv6: FamilyProfile;
  /** Detection warnings, in Kuma's wording, for the CLI to print (`# [iptables] [WARNING] ...`). */
  warnings: ReadonlyArray<{ family?: IpFamily; message: string }>;
}
