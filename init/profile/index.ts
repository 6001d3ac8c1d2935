// The environment profile's face: what the pod network namespace offers
// (loopback, users, nameservers, per family the iptables backend and what it
// supports), detected once before the rules are rendered.
export { detectProfile, emptyFamily, probeBackend, type DetectOptions } from './detect.ts';
export { VersionCache } from './executables.ts';
export { tableNames } from './functionality.ts';
export type { EnvironmentProfile, Executables, FamilyProfile, IpFamily, IptablesMode } from './profile.ts';
