// The reverse of the injection for one pod: removes what the injector added
// (kuma-sidecar, kuma-init or kuma-validation, their volumes, the annotations
// and the mesh label it writes) and turns rewritten probes back into the
// application's own. What the injected pod cannot tell by itself (was an
// annotation the user's, or written by the injector?) is settled by injecting
// the candidate again: an annotation or label stays only when the injection
// would not write that same value anyway. The result injects back to the
// input; docs/uninject.md lists the few spellings that cannot be told apart.
import { isDeepStrictEqual } from 'node:util';
import { type Container, type HTTPHeader, INIT_CONTAINER, type InjectionContext, injectPod, Keys, type Pod, type Probe, SIDECAR_CONTAINER, VALIDATION_CONTAINER } from '../engine/index.ts';
import type { ClusterState } from '../state/index.ts';

const KUMA_CONTAINERS = new Set([SIDECAR_CONTAINER, INIT_CONTAINER, VALIDATION_CONTAINER]);
const KUMA_VOLUMES = new Set([
  'kuma-init-tmp',
  'kuma-sidecar-tmp',
  'kuma-spire-agent-socket',
  'transparent-proxy-base',
  'transparent-proxy-custom',
  'sys-fs-cgroup',
  'bpf-fs',
]);
/** Annotations the injector writes (always, or from its config's defaults), in the order it appends them. */
const WRITE_ORDER: readonly string[] = [
  Keys.defaultContainer,
  Keys.sidecarInjected,
  Keys.transparentProxying,
  Keys.transparentProxyConfig,
  Keys.sidecarUID,
  Keys.outboundPort,
  Keys.inboundPort,
  Keys.cncfNetworks,
  Keys.ebpf,
  Keys.ebpfBPFFSPath,
  Keys.ebpfCgroupPath,
  Keys.ebpfTCAttachIface,
  Keys.ebpfProgramsSourcePath,
  Keys.ebpfInstanceIPEnvVarName,
  Keys.builtinDNS,
  Keys.builtinDNSPort,
  Keys.builtinDNSLogging,
  Keys.virtualProbes,
  Keys.virtualProbesPort,
  Keys.applicationProbeProxyPort,
  Keys.excludeInboundPorts,
  Keys.excludeOutboundPorts,
  Keys.ipFamilyMode,
  Keys.envoyAdminPort,
  Keys.excludeOutboundIPs,
  Keys.excludeInboundIPs,
];
const WRITTEN_ANNOTATIONS = new Set(WRITE_ORDER);
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HEADER = { timeout: 'X-Kuma-Probes-Timeout', host: 'X-Kuma-Probes-Host', scheme: 'X-Kuma-Probes-Scheme', grpcService: 'X-Kuma-Probes-GRPC-Service' };

export type UninjectOutcome =
  | { result: 'uninjected'; pod: Pod; /** Set when the result does not inject back to the input (a pod edited after injection). */ mismatch?: string }
  | { result: 'unchanged'; reason: string };

const hasSidecar = (pod: Pod): boolean =>
  [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some((c) => c?.name === SIDECAR_CONTAINER);

const port = (value: string | undefined): number => (value !== undefined && /^[0-9]+$/.test(value) ? Number(value) : 0);

/** The application's probe behind a rewritten one: through the probe proxy on `proxyPort`. */
function unproxiedProbe(probe: Probe, proxyPort: number): Probe {
  const get = probe.httpGet;
  if (!get || get.port !== proxyPort || typeof get.path !== 'string') return probe;
  const headers = get.httpHeaders ?? [];
  const header = (name: string): string | undefined => headers.find((h) => h?.name === name)?.value;
  const rest: Probe = { ...probe };
  delete rest.httpGet;
  const tcp = /^\/tcp\/([0-9]+)$/.exec(get.path);
  if (tcp) return { ...rest, tcpSocket: { port: Number(tcp[1]) } };
  const grpc = /^\/grpc\/([0-9]+)$/.exec(get.path);
  if (grpc) {
    const service = header(HEADER.grpcService);
    return { ...rest, grpc: { port: Number(grpc[1]), ...(service !== undefined ? { service } : {}) } };
  }
  const http = /^\/([0-9]+)(\/.*)$/s.exec(get.path);
  if (!http) return probe;
  const own: HTTPHeader[] = headers
    .filter((h) => h?.name !== HEADER.timeout && h?.name !== HEADER.scheme)
    .map((h) => (h?.name === HEADER.host ? { name: 'Host', value: h.value } : h));
  const scheme = header(HEADER.scheme);
  return { ...rest, httpGet: { path: http[2], port: Number(http[1]), ...(scheme !== undefined ? { scheme } : {}), ...(own.length ? { httpHeaders: own } : {}) } };
}

/** The application's probe behind a 2.13 virtual probe on `virtualPort`. */
function unvirtualProbe(probe: Probe, virtualPort: number): Probe {
  const get = probe.httpGet;
  const http = get && get.port === virtualPort && typeof get.path === 'string' ? /^\/([0-9]+)(\/.*)$/s.exec(get.path) : null;
  if (!get || !http) return probe;
  return { ...probe, httpGet: { ...get, port: Number(http[1]), path: http[2] } };
}

/**
 * The injection resolves a probe's named port to its number; the name comes
 * back when exactly one container port has that number and a name (manifests
 * usually name the ports their probes use).
 */
function byName(probe: Probe, container: Container): Probe {
  const named = (value: number | string | undefined): number | string | undefined => {
    const matches = (container.ports ?? []).filter((p) => p?.containerPort === value && p.name);
    return matches.length === 1 ? matches[0]!.name : value;
  };
  if (probe.httpGet) return { ...probe, httpGet: { ...probe.httpGet, port: named(probe.httpGet.port) } };
  if (probe.tcpSocket) return { ...probe, tcpSocket: { ...probe.tcpSocket, port: named(probe.tcpSocket.port) } };
  return probe;
}

function restoreProbes(container: Container, annotations: Record<string, string>): Container {
  const proxyPort = port(annotations[Keys.applicationProbeProxyPort]);
  const virtualPort = annotations[Keys.virtualProbes] === 'enabled' ? port(annotations[Keys.virtualProbesPort]) : 0;
  const restored: Container = { ...container };
  for (const kind of PROBES) {
    const probe = container[kind];
    if (!probe) continue;
    const unrewritten = proxyPort > 0 ? unproxiedProbe(probe, proxyPort) : virtualPort > 0 ? unvirtualProbe(probe, virtualPort) : probe;
    if (unrewritten !== probe) restored[kind] = byName(unrewritten, container);
  }
  return restored;
}

/**
 * Annotations the pod had before the injection, told by their order: the
 * injection keeps existing keys in place and appends its new ones in
 * WRITE_ORDER, so the keys before that run at the end were the pod's. A
 * manifest that `inject` printed keeps the order; one read back from the API
 * server has its keys sorted, and then the order tells nothing.
 */
function keysBeforeInjection(annotations: Record<string, string>): Set<string> {
  const keys = Object.keys(annotations);
  if (keys.every((key, i) => i === 0 || keys[i - 1]! < key)) return new Set();
  let start = keys.length;
  while (start > 0) {
    const rank = WRITE_ORDER.indexOf(keys[start - 1]!);
    if (rank < 0 || (start < keys.length && rank >= WRITE_ORDER.indexOf(keys[start]!))) break;
    start -= 1;
  }
  // The injector's own markers are overwritten whatever they were: never the pod's.
  return new Set(keys.slice(0, start).filter((key) => key !== Keys.sidecarInjected && key !== Keys.transparentProxying));
}

/** What is certainly the injector's, removed; the annotations it writes and the mesh label too, unless the order says they were there. */
function stripped(pod: Pod, before: Set<string>): Pod {
  const annotations = { ...(pod.metadata?.annotations ?? {}) };
  const spec = { ...pod.spec };
  spec.containers = (spec.containers ?? []).filter((c) => !KUMA_CONTAINERS.has(c?.name ?? '')).map((c) => restoreProbes(c, annotations));
  // Native sidecars of the app (restartPolicy Always) have their probes rewritten too.
  const inits = (spec.initContainers ?? []).filter((c) => !KUMA_CONTAINERS.has(c?.name ?? '')).map((c) => (c?.restartPolicy === 'Always' ? restoreProbes(c, annotations) : c));
  if (inits.length) spec.initContainers = inits;
  else delete spec.initContainers;
  const volumes = (spec.volumes ?? []).filter((v) => !KUMA_VOLUMES.has((v as { name?: string })?.name ?? ''));
  if (volumes.length) spec.volumes = volumes;
  else delete spec.volumes;
  const metadata = { ...pod.metadata };
  const kept = Object.fromEntries(Object.entries(annotations).filter(([key]) => !WRITTEN_ANNOTATIONS.has(key) || before.has(key)));
  if (Object.keys(kept).length) metadata.annotations = kept;
  else delete metadata.annotations;
  const labels = Object.fromEntries(Object.entries(pod.metadata?.labels ?? {}).filter(([key]) => key !== Keys.mesh));
  if (Object.keys(labels).length) metadata.labels = labels;
  else delete metadata.labels;
  return { ...pod, metadata, spec };
}

/**
 * The cluster as far as the re-injection needs it: the pod's namespace is
 * enabled for injection and every Mesh exists (they did when it was injected),
 * with the namespace's own labels (its mesh) where the state has it.
 */
function reinjectionState(state: ClusterState): ClusterState {
  return {
    namespace: (name) => {
      const known = state.namespace(name);
      return { ...known, metadata: { ...known?.metadata, name, labels: { ...known?.metadata.labels, [Keys.sidecarInjection]: 'enabled' } } };
    },
    mesh: (name) => state.mesh(name) ?? { kind: 'Mesh', metadata: { name } },
    containerPatch: (namespace, name) => state.containerPatch(namespace, name),
    configMap: (namespace, name) => state.configMap(namespace, name),
    ready: () => true,
  };
}

function withEntry(pod: Pod, field: 'annotations' | 'labels', key: string, value: string): Pod {
  return { ...pod, metadata: { ...pod.metadata, [field]: { ...pod.metadata?.[field], [key]: value } } };
}

function withoutEntry(pod: Pod, field: 'annotations' | 'labels', key: string): Pod {
  const entries = Object.fromEntries(Object.entries(pod.metadata?.[field] ?? {}).filter(([k]) => k !== key));
  const metadata = { ...pod.metadata };
  if (Object.keys(entries).length) metadata[field] = entries;
  else delete metadata[field];
  return { ...pod, metadata };
}

export function uninjectPod(injected: Pod, ctx: InjectionContext): UninjectOutcome {
  if (!hasSidecar(injected)) return { result: 'unchanged', reason: `no ${SIDECAR_CONTAINER} container: not injected` };
  const reinjectCtx = { ...ctx, state: reinjectionState(ctx.state) };
  const reinject = (pod: Pod) => injectPod(pod, reinjectCtx);
  const wanted = injected.metadata?.annotations ?? {};
  const before = keysBeforeInjection(wanted);
  let candidate = stripped(injected, before);
  // An annotation or the mesh label comes back when the injection would not write its value by itself;
  // one round can reveal another (a restored probe port changes nothing else), so at most a few rounds.
  for (let round = 0; round < 3; round++) {
    const again = reinject(candidate);
    if (again.result !== 'injected') break;
    const got = (again.pod as Pod).metadata;
    let changed = false;
    for (const key of WRITTEN_ANNOTATIONS) {
      if (wanted[key] !== undefined && got?.annotations?.[key] !== wanted[key] && candidate.metadata?.annotations?.[key] !== wanted[key]) {
        candidate = withEntry(candidate, 'annotations', key, wanted[key]);
        changed = true;
      }
    }
    const mesh = injected.metadata?.labels?.[Keys.mesh];
    if (mesh !== undefined && got?.labels?.[Keys.mesh] !== mesh && candidate.metadata?.labels?.[Keys.mesh] !== mesh) {
      candidate = withEntry(candidate, 'labels', Keys.mesh, mesh);
      changed = true;
    }
    if (!changed) break;
  }
  // Restoring one value can make another restored one redundant: keep only what is needed.
  const sameAsInput = (pod: Pod): boolean => {
    const again = reinject(pod);
    return again.result === 'injected' && isDeepStrictEqual(again.pod, injected);
  };
  for (const field of ['annotations', 'labels'] as const) {
    for (const key of Object.keys(candidate.metadata?.[field] ?? {})) {
      if (field === 'annotations' ? !WRITTEN_ANNOTATIONS.has(key) || before.has(key) : key !== Keys.mesh) continue;
      const without = withoutEntry(candidate, field, key);
      if (sameAsInput(without)) candidate = without;
    }
  }
  const check = reinject(candidate);
  if (check.result === 'injected' && isDeepStrictEqual(check.pod, injected)) return { result: 'uninjected', pod: candidate };
  const why = check.result === 'injected' ? 'it injects to a different pod (edited after injection?)' : `its injection is ${check.result}: ${check.message}`;
  return { result: 'uninjected', pod: candidate, mismatch: `the uninjected pod does not inject back to the input: ${why}` };
}
