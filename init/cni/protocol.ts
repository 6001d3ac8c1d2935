// The CNI protocol as Kuma 2.13.10's plugin speaks it (containernetworking/cni
// v1.3.0 skel; docs/cni.md "Protocol"): environment + stdin → one request,
// pure. Checks run in skel's order: required variables, container ID and
// interface name, the network config's `name`, then the version rules of the
// command. Stdin is parsed once, bounded, without letting keys reach a
// prototype.
import { CniError } from './errors.ts';

export const SUPPORTED_VERSIONS = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;
/** libcni's `version.Current()` in v1.3.0: what VERSION reports as its own. */
export const CURRENT_VERSION = '1.1.0';
/** Network configs are a few hundred bytes; a prevResult a few KB. */
export const MAX_STDIN_BYTES = 1024 * 1024;

export type Command = 'ADD' | 'DEL' | 'CHECK' | 'GC' | 'STATUS';

export interface CmdArgs {
  containerId: string;
  netns: string;
  ifname: string;
  /** CNI_ARGS, raw. */
  args: string;
  path: string;
  netnsOverride: string;
}

/** A JSON object decoded from stdin: own keys only, no prototype. */
export type JsonObject = { readonly [key: string]: JsonValue };
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

export type Request =
  | { kind: 'about' }
  | { kind: 'version' }
  | { kind: 'command'; command: Command; args: CmdArgs; conf: JsonObject; cniVersion: string };

export type Env = Readonly<Record<string, string | undefined>>;

const VALID_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const COMMANDS = new Set<string>(['ADD', 'DEL', 'CHECK', 'GC', 'STATUS', 'VERSION']);

/** skel's table: which variables each command requires. */
const REQUIRED: ReadonlyArray<{ name: string; commands: readonly string[] }> = [
  { name: 'CNI_COMMAND', commands: ['ADD', 'CHECK', 'DEL', 'GC', 'STATUS'] },
  { name: 'CNI_CONTAINERID', commands: ['ADD', 'CHECK', 'DEL'] },
  { name: 'CNI_NETNS', commands: ['ADD', 'CHECK'] },
  { name: 'CNI_IFNAME', commands: ['ADD', 'CHECK', 'DEL'] },
  { name: 'CNI_PATH', commands: ['ADD', 'CHECK', 'DEL', 'GC', 'STATUS'] },
];

function validateContainerId(id: string): void {
  if (!VALID_NAME.test(id)) throw new CniError('ENV_INVALID', 'invalid characters in containerID', id.slice(0, 256));
}

function validateIfname(name: string): void {
  const fail = (msg: string, details = '') => {
    throw new CniError('ENV_INVALID', msg, details);
  };
  if (name.length > 15) fail('interface name is too long', 'interface name should be less than 16 characters');
  if (name === '.' || name === '..') fail('interface name is . or ..');
  if (/[/:\s]/u.test(name)) fail('interface name contains / or : or whitespace characters');
}

/** JSON.parse whose objects have no prototype and never a `__proto__` key. */
export function parseJsonObject(text: string): JsonObject {
  const value = JSON.parse(text, (key, v: unknown) => {
    if (key === '__proto__') return undefined;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return Object.assign(Object.create(null) as object, v);
    return v;
  }) as JsonValue;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CniError('CONFIG_DECODE', `error unmarshall network config: json: cannot unmarshal ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value} into Go value of type struct { Name string "json:\\"name\\"" }`);
  }
  return value;
}

/** Numeric compare of `a.b.c` versions; undefined when either is not one. */
function compareVersions(a: string, b: string): number | undefined {
  const parse = (v: string) => (/^\d+\.\d+\.\d+$/.test(v) ? v.split('.').map(Number) : undefined);
  const [x, y] = [parse(a), parse(b)];
  if (!x || !y) return undefined;
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

function requireAtLeast(command: Command, version: string, minimum: string): void {
  const order = compareVersions(version, minimum);
  if (order === undefined) throw new CniError('CONFIG_DECODE', `Invalid version "${version.slice(0, 64)}"`);
  if (order < 0) throw new CniError('VERSION_UNSUPPORTED', `config version does not allow ${command}`);
}

/** skel's version reconciler: the config's version must be one the plugin supports. */
function requireSupported(version: string): void {
  if ((SUPPORTED_VERSIONS as readonly string[]).includes(version)) return;
  const supported = SUPPORTED_VERSIONS.map((v) => `"${v}"`).join(' ');
  throw new CniError('VERSION_UNSUPPORTED', 'incompatible CNI versions', `config is ${JSON.stringify(version.slice(0, 64))}, plugin supports [${supported}]`);
}

/**
 * Environment and stdin → request, as skel checks them. Throws CniError. `readStdin` is only
 * called for commands that read stdin (not VERSION); it returns at most MAX_STDIN_BYTES + 1 bytes.
 */
export function parseRequest(env: Env, readStdin: () => Buffer): Request {
  const command = env.CNI_COMMAND ?? '';
  const value = (name: string) => env[name] ?? '';
  const missing = REQUIRED.filter((v) => value(v.name) === '' && (v.commands.includes(command) || v.name === 'CNI_COMMAND')).map((v) => v.name);
  if (command === '') return { kind: 'about' };
  if (missing.length > 0) throw new CniError('ENV_MISSING', `required env variables [${missing.join(',')}] missing`);
  const requires = (name: string) => REQUIRED.some((v) => v.name === name && v.commands.includes(command));
  if (requires('CNI_CONTAINERID')) validateContainerId(value('CNI_CONTAINERID'));
  if (requires('CNI_IFNAME')) validateIfname(value('CNI_IFNAME'));
  if (command === 'VERSION') return { kind: 'version' };
  if (!COMMANDS.has(command)) throw new CniError('UNKNOWN_COMMAND', `unknown CNI_COMMAND: ${command.slice(0, 64)}`);

  const stdin = readStdin();
  if (stdin.length > MAX_STDIN_BYTES) throw new CniError('CONFIG_DECODE', `network configuration on stdin exceeds ${MAX_STDIN_BYTES} bytes`);
  let conf: JsonObject;
  try {
    conf = parseJsonObject(stdin.toString('utf8'));
  } catch (error) {
    if (error instanceof CniError) throw error;
    throw new CniError('CONFIG_DECODE', `error unmarshall network config: ${(error as Error).message}`);
  }
  const name = conf.name;
  if (name !== undefined && name !== null && typeof name !== 'string') {
    throw new CniError('CONFIG_DECODE', `error unmarshall network config: json: cannot unmarshal ${Array.isArray(name) ? 'array' : typeof name} into Go struct field .name of type string`);
  }
  if (!name) throw new CniError('CONFIG_INVALID', 'missing network name');
  if (!VALID_NAME.test(name)) throw new CniError('CONFIG_INVALID', 'invalid characters found in network name', name.slice(0, 256));
  const rawVersion = conf.cniVersion ?? '';
  if (typeof rawVersion !== 'string') throw new CniError('CONFIG_DECODE', `decoding version from network config: json: cannot unmarshal ${typeof rawVersion} into Go struct field .cniVersion of type string`);
  // libcni: a config without cniVersion is 0.1.0.
  const cniVersion = rawVersion === '' ? '0.1.0' : rawVersion;

  const cmd = command as Command;
  if (cmd === 'CHECK') requireAtLeast(cmd, cniVersion, '0.4.0');
  if (cmd === 'GC' || cmd === 'STATUS') requireAtLeast(cmd, cniVersion, '1.1.0');
  requireSupported(cniVersion);
  const args: CmdArgs = {
    containerId: value('CNI_CONTAINERID'),
    netns: value('CNI_NETNS'),
    ifname: value('CNI_IFNAME'),
    args: value('CNI_ARGS'),
    path: value('CNI_PATH'),
    netnsOverride: value('CNI_NETNS_OVERRIDE'),
  };
  return { kind: 'command', command: cmd, args, conf, cniVersion };
}

/** VERSION's answer (one line, as Go's json.Encoder writes it). */
export function versionJson(): string {
  return `${JSON.stringify({ cniVersion: CURRENT_VERSION, supportedVersions: SUPPORTED_VERSIONS })}\n`;
}

/** What skel prints to stderr when CNI_COMMAND is not set. */
export function aboutText(pluginVersion: string): string {
  return `kuma-cni ${pluginVersion}\nCNI protocol versions supported: ${SUPPORTED_VERSIONS.join(', ')}\n`;
}

/** skel skips the netns check when CNI_NETNS_OVERRIDE is `true` (any case) or `1`. */
export function netnsCheckOverridden(args: CmdArgs): boolean {
  return args.netnsOverride.toUpperCase() === 'TRUE' || args.netnsOverride === '1';
}
