// Pure decisions about CNI config files: which file in the conf dir is the
// primary plugin's, whether kuma-cni is in it, and the chained and reverted
// texts. Kuma 2.13.10: app/cni/pkg/install/{installer_config.go,transform.go,
// validation.go}; the differences are listed in docs/cni.md.
import { goMarshalIndent, isJsonObject, jsonEqual, parseJsonObject, type JsonObject } from './go-json.ts';

export const KUMA_CNI_TYPE = 'kuma-cni';

/** Extensions a container runtime loads from the conf dir (libcni ConfFiles), in the order it loads them. */
const CONF_EXTENSIONS = ['.conf', '.conflist', '.json'];

/** A single-plugin config: a JSON object with `type` (Kuma's isValidConfFile). */
export const isValidConf = (config: JsonObject): boolean => 'type' in config;

/** A plugin list: `name` and `plugins` (Kuma's isValidConflistFile). */
export const isValidConflist = (config: JsonObject): boolean => 'name' in config && 'plugins' in config;

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * The primary plugin's config file: the bytewise-first file with a runtime
 * extension that holds a valid config, which is the file the runtime uses.
 * (Kuma tries `*.conf` and `*.conflist` in random order.) Undefined when there
 * is none yet.
 */
export function discoverConfName(files: readonly { name: string; text: string }[]): string | undefined {
  const candidates = files.filter((f) => CONF_EXTENSIONS.some((ext) => f.name.endsWith(ext))).sort((a, b) => byteOrder(a.name, b.name));
  for (const file of candidates) {
    const config = parseJsonObject(file.text);
    if (!config) continue;
    if (file.name.endsWith('.conflist') ? isValidConflist(config) : isValidConf(config) || isValidConflist(config)) return file.name;
  }
  return undefined;
}

/** Kuma's name resolution: a missing `x.conf` whose `x.conflist` exists means the latter. */
export function resolveConfName(name: string, exists: (name: string) => boolean): string {
  return name.endsWith('.conf') && !exists(name) && exists(`${name}list`) ? `${name}list` : name;
}

export class ChainError extends Error {
  override readonly name = 'ChainError';
}

function pluginsOf(config: JsonObject): JsonObject[] {
  if (!('plugins' in config)) throw new ChainError("config does not have 'plugins' field");
  const plugins = config.plugins;
  if (!Array.isArray(plugins)) throw new ChainError("config's 'plugins' field is not an array");
  if (!plugins.every(isJsonObject)) throw new ChainError('plugin is not an object');
  return plugins;
}

/** The plugins without the last kuma-cni entry (Kuma removes one, the last). */
function withoutKuma(plugins: readonly JsonObject[]): JsonObject[] {
  const last = plugins.findLastIndex((p) => p.type === KUMA_CNI_TYPE);
  return last < 0 ? [...plugins] : plugins.filter((_, i) => i !== last);
}

/**
 * The host config with `kuma` chained in (Kuma's transformJsonConfig): a
 * single-plugin config is wrapped into a list (Kuma's name and version for the
 * wrapper); a list gets its kuma-cni entry replaced by `kuma`, at the end.
 */
export function chainKuma(host: JsonObject, kuma: JsonObject): JsonObject {
  if ('type' in host) return { cniVersion: '0.3.0', name: 'k8s-pod-network', plugins: [host, kuma] };
  return { ...host, plugins: [...withoutKuma(pluginsOf(host)), kuma] };
}

/** The config without its (last) kuma-cni entry; a list Kuma wrapped stays a list, as in Kuma. */
export function unchainKuma(config: JsonObject): JsonObject {
  return { ...config, plugins: withoutKuma(pluginsOf(config)) };
}

/** Why a chained config file does not hold `kuma` (Kuma's CheckInstall words), or undefined when it does. */
export function chainProblem(config: JsonObject | undefined, kuma: JsonObject): string | undefined {
  if (!config) return 'chained config file is not a JSON object';
  if (!isValidConflist(config)) return 'chained config file is not a valid conflist';
  let plugins: JsonObject[];
  try {
    plugins = pluginsOf(config);
  } catch (error) {
    return (error as Error).message;
  }
  const entries = plugins.filter((p) => p.type === KUMA_CNI_TYPE);
  if (entries.length === 0) return 'kuma-cni plugin is missing in the chained config file';
  return entries.some((p) => jsonEqual(p, kuma)) ? undefined : 'kuma-cni plugin in the chained config file is outdated';
}

/** Whether a config file holds any kuma-cni entry (then it is not the primary's own text). */
export function hasKumaEntry(config: JsonObject): boolean {
  return Array.isArray(config.plugins) && config.plugins.some((p) => isJsonObject(p) && p.type === KUMA_CNI_TYPE);
}

/** Kuma's CheckInstall for standalone mode: the file is kuma-cni's own config. */
export function standaloneProblem(config: JsonObject | undefined): string | undefined {
  if (!config) return 'config file is not a JSON object';
  return config.type === KUMA_CNI_TYPE ? undefined : 'kuma-cni is not the type of the standalone config file';
}

export const serializeConfig = goMarshalIndent;
