// kuma-cni's own part of the network config (Kuma's conflist entry, e.g.
// kumahq/kuma: app/cni/pkg/install/testdata/10-kuma-cni.conf) and of CNI_ARGS,
// read from the decoded stdin object field by field with Go's type rules.
// Pure.
import { CniError } from './errors.ts';
import { parsePrevResult, type CurrentResult } from './prev-result.ts';
import type { JsonObject, JsonValue } from './protocol.ts';

export type LogLevel = 'off' | 'info' | 'debug';

export interface PluginConf {
  cniVersion: string;
  logLevel: string;
  kubeconfig: string;
  excludeNamespaces: string[];
  /** Undefined when the runtime passed none (first plugin of a chain). */
  prevResult: CurrentResult | undefined;
}

const typeName = (v: JsonValue): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function decodeError(field: string, value: JsonValue, goType: string): CniError {
  return new CniError('PLUGIN_CONFIG', `failed to parse network configuration from stdin: json: cannot unmarshal ${typeName(value)} into Go struct field ${field} of type ${goType}`);
}

function stringField(o: JsonObject, key: string, goField: string): string {
  const v = o[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw decodeError(goField, v, 'string');
  return v;
}

/** Kuma's PluginConf from the stdin object (`failed to parse kuma-cni configuration in cmdAdd: …` on error). */
export function parsePluginConf(conf: JsonObject, cniVersion: string): PluginConf {
  const kubernetes = conf.kubernetes;
  let k8s: JsonObject = Object.create(null) as JsonObject;
  if (kubernetes !== undefined && kubernetes !== null) {
    if (typeof kubernetes !== 'object' || Array.isArray(kubernetes)) throw decodeError('PluginConf.kubernetes', kubernetes, 'cni.Kubernetes');
    k8s = kubernetes;
  }
  const excluded = k8s.exclude_namespaces;
  let excludeNamespaces: string[] = [];
  if (excluded !== undefined && excluded !== null) {
    if (!Array.isArray(excluded)) throw decodeError('PluginConf.kubernetes.exclude_namespaces', excluded, '[]string');
    excludeNamespaces = excluded.map((n) => {
      if (n !== null && typeof n !== 'string') throw decodeError('PluginConf.kubernetes.exclude_namespaces', n, 'string');
      return n ?? '';
    });
  }
  const prev = conf.prevResult;
  return {
    cniVersion,
    logLevel: stringField(conf, 'log_level', 'PluginConf.log_level'),
    kubeconfig: stringField(k8s, 'kubeconfig', 'PluginConf.kubernetes.kubeconfig'),
    excludeNamespaces,
    prevResult: prev === undefined || prev === null ? undefined : parsePrevResult(prev, cniVersion),
  };
}

/** Kuma's log levels (pkg/log ParseLogLevel): exactly `off`, `info`, `debug`. */
export function parseLogLevel(text: string): LogLevel {
  if (text === 'off' || text === 'info' || text === 'debug') return text;
  throw new CniError('LOG_LEVEL', `failed to set log level: unknown log level ${JSON.stringify(text.slice(0, 64))}`);
}

export interface K8sArgs {
  podName: string;
  podNamespace: string;
  infraContainerId: string;
  ip: string;
}

const K8S_KEYS: Record<string, keyof K8sArgs> = {
  K8S_POD_NAME: 'podName',
  K8S_POD_NAMESPACE: 'podNamespace',
  K8S_POD_INFRA_CONTAINER_ID: 'infraContainerId',
  IP: 'ip',
};

/**
 * CNI_ARGS (`K=V;K=V`) as libcni's LoadArgs reads it into Kuma's K8sArgs: every pair needs exactly
 * one `=`; unknown keys fail unless `IgnoreUnknown` is `1` or `true` (kubelet always sends it).
 */
export function parseCniArgs(text: string): K8sArgs {
  const result: K8sArgs = { podName: '', podNamespace: '', infraContainerId: '', ip: '' };
  if (text === '') return result;
  const fail = (message: string) => new CniError('CNI_ARGS', `failed to load CNI arguments: ARGS: ${message}`);
  const unknown: string[] = [];
  let ignoreUnknown = false;
  for (const pair of text.split(';')) {
    const kv = pair.split('=');
    if (kv.length !== 2) throw fail(`invalid pair ${JSON.stringify(pair.slice(0, 256))}`);
    const [key, value] = kv as [string, string];
    if (key === 'IgnoreUnknown') {
      const lower = value.toLowerCase();
      if (lower === '1' || lower === 'true') ignoreUnknown = true;
      else if (lower === '0' || lower === 'false') ignoreUnknown = false;
      else throw fail(`error parsing value of pair ${JSON.stringify(pair.slice(0, 256))}: boolean unmarshal error: invalid input ${value.slice(0, 64)}`);
      continue;
    }
    const field = Object.hasOwn(K8S_KEYS, key) ? K8S_KEYS[key] : undefined;
    if (field === undefined) {
      unknown.push(pair);
      continue;
    }
    if (field === 'ip' && value !== '' && !/^[0-9a-fA-F.:]+$/.test(value)) {
      throw fail(`error parsing value of pair ${JSON.stringify(pair.slice(0, 256))}: invalid IP address: ${value.slice(0, 64)}`);
    }
    result[field] = value;
  }
  if (unknown.length > 0 && !ignoreUnknown) throw fail(`unknown args [${unknown.map((p) => JSON.stringify(p.slice(0, 256))).join(' ')}]`);
  return result;
}
