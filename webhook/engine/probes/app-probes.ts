// Rewrites the application's probes so they still work behind the sidecar:
// through the application probe proxy (port > 0) or, when that is off, as
// 2.13's virtual probes. Each rewritten probe is one `replace` operation.
import { InjectionError } from '../errors.ts';
import type { PatchRecorder, Path } from '../patch/index.ts';
import { type Container, getEnabled, getUint32, type HTTPHeader, Keys, type Probe, SIDECAR_CONTAINER, type StringMap } from '../pod/index.ts';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HEADER = {
  timeout: 'X-Kuma-Probes-Timeout',
  host: 'X-Kuma-Probes-Host',
  scheme: 'X-Kuma-Probes-Scheme',
  grpcService: 'X-Kuma-Probes-GRPC-Service',
};

/** intstr.IntValue: a number, or a numeric string, else 0. */
function intValue(port: number | string | undefined): number {
  if (typeof port === 'number') return port;
  if (typeof port === 'string' && /^[+-]?[0-9]+$/.test(port)) return Number.parseInt(port, 10);
  return 0;
}

function reserved(port: number): InjectionError {
  return new InjectionError(
    'probe_port_reserved',
    `cannot override Pod's probes. Port for probe cannot be set to ${port}. It is reserved for the dataplane that will serve pods without mTLS.`,
  );
}

const withSlash = (path: string | undefined): string => (path?.startsWith('/') ? path : `/${path ?? ''}`);

/** Containers whose probes are rewritten, with their paths in the pod. */
function targets(recorder: PatchRecorder): { container: Container; path: Path }[] {
  const spec = (recorder.get(['spec']) ?? {}) as { containers?: Container[]; initContainers?: Container[] };
  const result: { container: Container; path: Path }[] = [];
  let afterSidecar = false;
  (spec.initContainers ?? []).forEach((container, i) => {
    if (container?.name === SIDECAR_CONTAINER) {
      afterSidecar = true;
      return;
    }
    if (afterSidecar && container?.restartPolicy === 'Always') result.push({ container, path: ['spec', 'initContainers', i] });
  });
  (spec.containers ?? []).forEach((container, i) => {
    if (container?.name !== SIDECAR_CONTAINER) result.push({ container, path: ['spec', 'containers', i] });
  });
  return result;
}

/** The container port a named probe port refers to (`first` match, or the last one). */
function resolvePort(port: number | string | undefined, container: Container, first: boolean): number | string | undefined {
  if (intValue(port) !== 0) return port;
  let resolved = port;
  for (const containerPort of container.ports ?? []) {
    if (containerPort?.name && containerPort.name === String(port)) {
      resolved = containerPort.containerPort ?? 0;
      if (first) break;
    }
  }
  return resolved;
}

function proxiedProbe(probe: Probe, container: Container, proxyPort: number): Probe | undefined {
  const rewritten: Probe = { ...probe };
  const headers: HTTPHeader[] = [];
  let path: string;
  const timeout = (): void => {
    if ((probe.timeoutSeconds ?? 0) > 1) headers.push({ name: HEADER.timeout, value: String(probe.timeoutSeconds) });
  };
  if (probe.httpGet) {
    const appPort = intValue(resolvePort(probe.httpGet.port, container, true));
    if (appPort === proxyPort) throw reserved(proxyPort);
    path = `/${appPort}${withSlash(probe.httpGet.path)}`;
    for (const header of probe.httpGet.httpHeaders ?? []) {
      headers.push(header?.name === 'Host' ? { name: HEADER.host, value: header.value } : header);
    }
    const scheme = probe.httpGet.scheme;
    if (scheme && scheme !== 'HTTP') headers.push({ name: HEADER.scheme, value: scheme });
    timeout();
  } else if (probe.tcpSocket) {
    const appPort = intValue(resolvePort(probe.tcpSocket.port, container, true));
    if (appPort === proxyPort) throw reserved(proxyPort);
    path = `/tcp/${appPort}`;
    timeout();
  } else if (probe.grpc) {
    const appPort = probe.grpc.port ?? 0;
    if (appPort === proxyPort) throw reserved(proxyPort);
    path = `/grpc/${appPort}`;
    timeout();
    if (probe.grpc.service) headers.push({ name: HEADER.grpcService, value: probe.grpc.service });
  } else {
    return undefined;
  }
  delete rewritten.tcpSocket;
  delete rewritten.grpc;
  rewritten.httpGet = headers.length > 0 ? { path, port: proxyPort, httpHeaders: headers } : { path, port: proxyPort };
  return rewritten;
}

function virtualProbe(probe: Probe, container: Container, virtualPort: number): Probe | undefined {
  if (!probe.httpGet) return undefined;
  const appPort = intValue(resolvePort(probe.httpGet.port, container, false));
  if (appPort === virtualPort) throw reserved(virtualPort);
  return { ...probe, httpGet: { ...probe.httpGet, port: virtualPort, path: `/${appPort}${withSlash(probe.httpGet.path)}` } };
}

function rewriteAll(recorder: PatchRecorder, rewrite: (probe: Probe, container: Container) => Probe | undefined): void {
  for (const { container, path } of targets(recorder)) {
    for (const kind of PROBES) {
      const probe = container[kind];
      if (!probe) continue;
      const rewritten = rewrite(probe, container);
      if (rewritten) recorder.replace([...path, kind], rewritten);
    }
  }
}

/** Step 10 of 2.13's injection, driven by the annotations just written on the pod. */
export function rewriteAppProbes(recorder: PatchRecorder, annotations: StringMap | undefined): void {
  const proxyPort = getUint32(annotations, Keys.applicationProbeProxyPort).value;
  if (proxyPort > 0) {
    rewriteAll(recorder, (probe, container) => proxiedProbe(probe, container, proxyPort));
    return;
  }
  if (!getEnabled(annotations, Keys.virtualProbes).value) return;
  const virtualPort = getUint32(annotations, Keys.virtualProbesPort).value;
  rewriteAll(recorder, (probe, container) => virtualProbe(probe, container, virtualPort));
}
