// A STAND-IN for the Kubernetes API server, on loopback, for tests: the real
// API server cannot run here. It serves list and watch (`?watch=true`,
// newline-delimited JSON events over a chunked response, resourceVersions,
// 410 Gone for expired ones) for Namespaces, ConfigMaps and Kuma's Meshes and
// ContainerPatches (what the injector watches), and for Services, Endpoints,
// Secrets and MutatingWebhookConfigurations (what `kuma-injector check`
// reads), counts every request, and lets a test change objects,
// break or end watch connections, answer errors and remove Kuma's CRDs.
// For the certificate lifecycle it also serves, on Secrets and
// MutatingWebhookConfigurations, get, create (409 when the object exists),
// update (409 when the resourceVersion is stale) and JSON patch; and enough
// discovery (/version, /api, /apis) for `helm template --dry-run=server` to
// map the chart's kinds and run its `lookup`s here.
// It serves HTTPS on 127.0.0.1 with a throwaway CA made for each stand-in,
// as an API server does, and its kubeconfig carries that CA and a bearer
// token: clients (client-node, our one-shot reads, helm) take their
// production TLS path, with verification on.
// Not served: label selectors, bookmarks, delete, and watch timeouts
// (`timeoutSeconds` is recorded but a watch stays open until the test ends it).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { applyPatch } from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { stringify } from 'yaml';
import { generateSelfSigned } from '../../webhook/tls/self-signed.ts';

interface ResourceType {
  plural: string;
  kind: string;
  apiVersion: string;
  namespaced: boolean;
}

const RESOURCE_TYPES: readonly ResourceType[] = [
  { plural: 'namespaces', kind: 'Namespace', apiVersion: 'v1', namespaced: false },
  { plural: 'configmaps', kind: 'ConfigMap', apiVersion: 'v1', namespaced: true },
  { plural: 'meshes', kind: 'Mesh', apiVersion: 'kuma.io/v1alpha1', namespaced: false },
  { plural: 'containerpatches', kind: 'ContainerPatch', apiVersion: 'kuma.io/v1alpha1', namespaced: true },
  { plural: 'services', kind: 'Service', apiVersion: 'v1', namespaced: true },
  { plural: 'endpoints', kind: 'Endpoints', apiVersion: 'v1', namespaced: true },
  { plural: 'secrets', kind: 'Secret', apiVersion: 'v1', namespaced: true },
  { plural: 'mutatingwebhookconfigurations', kind: 'MutatingWebhookConfiguration', apiVersion: 'admissionregistration.k8s.io/v1', namespaced: false },
];

/** Kinds announced by discovery only (never stored): what helm must map to render the chart against the stand-in. */
const DISCOVERED_ONLY: readonly ResourceType[] = [
  { plural: 'serviceaccounts', kind: 'ServiceAccount', apiVersion: 'v1', namespaced: true },
  { plural: 'deployments', kind: 'Deployment', apiVersion: 'apps/v1', namespaced: true },
  { plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', apiVersion: 'policy/v1', namespaced: true },
  { plural: 'clusterroles', kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: false },
  { plural: 'clusterrolebindings', kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: false },
  { plural: 'roles', kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: true },
  { plural: 'rolebindings', kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: true },
];

/** Any API object the stand-in stores (wire format). */
export interface StandInObject {
  apiVersion?: string;
  kind: string;
  metadata: { name: string; namespace?: string; [field: string]: unknown };
  [field: string]: unknown;
}

export type RequestVerb = 'list' | 'watch' | 'get' | 'create' | 'update' | 'patch' | 'discovery' | 'other';

export interface RecordedRequest {
  method: string;
  path: string;
  verb: RequestVerb;
  /** Plural resource name, when the path names one the stand-in serves. */
  resource?: string;
  query: Record<string, string>;
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface StoredEvent {
  resourceVersion: number;
  plural: string;
  type: EventType;
  object: StandInObject;
}

interface OpenWatch {
  plural: string;
  namespace: string | undefined;
  fieldSelector: string | undefined;
  response: ServerResponse;
}

interface PlannedFailure {
  plural: string;
  verb: RequestVerb | undefined;
  status: number;
  remaining: number;
}

const KUMA_API_VERSION = 'kuma.io/v1alpha1';

const typeOfKind = (kind: string): ResourceType => {
  const type = RESOURCE_TYPES.find((t) => t.kind === kind);
  if (!type) throw new Error(`stand-in API server: kind ${kind} is not served`);
  return type;
};

const objectKey = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

/** `metadata.name=x,metadata.namespace=y`: the only field selectors the stand-in understands. */
function matchesFieldSelector(object: StandInObject, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [field, value] = term.split('=');
    if (field === 'metadata.name') return object.metadata.name === value;
    if (field === 'metadata.namespace') return object.metadata.namespace === value;
    throw new Error(`stand-in API server: unsupported field selector ${term}`);
  });
}

function status(code: number, reason: string, message: string): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

const REASONS: Record<number, string> = { 404: 'NotFound', 409: 'Conflict', 410: 'Expired', 403: 'Forbidden', 500: 'InternalError' };

export class StandInApiServer {
  readonly requests: RecordedRequest[] = [];
  private readonly objects = new Map<string, Map<string, StandInObject>>();
  private readonly history: StoredEvent[] = [];
  private readonly watches = new Set<OpenWatch>();
  private readonly failures: PlannedFailure[] = [];
  private resourceVersion = 1000;
  /** Watches from a resourceVersion below this one get 410 Gone. */
  private oldestWatchable = 0;
  private goneAs: 'event' | 'status' = 'event';
  private kumaCrdsInstalled = true;
  private readonly changeListeners = new Set<(type: EventType, object: StandInObject) => void>();

  private constructor(
    private readonly server: Server,
    /** PEM of the stand-in's throwaway CA: what its clients trust (the kubeconfig's certificate-authority-data). */
    readonly caCert: string,
  ) {}

  static async start(): Promise<StandInApiServer> {
    const { caCert, serving } = await generateSelfSigned();
    const server = createServer({ cert: serving.cert, key: serving.key });
    const standIn = new StandInApiServer(server, caCert);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => standIn.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `https://127.0.0.1:${port}`;
  }

  /** A kubeconfig document pointing at the stand-in, trusting its CA. */
  kubeconfigYaml(): string {
    return stringify(
      {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'stand-in', cluster: { server: this.url, 'certificate-authority-data': Buffer.from(this.caCert).toString('base64') } }],
        users: [{ name: 'stand-in', user: { token: 'stand-in-token' } }],
        contexts: [{ name: 'stand-in', context: { cluster: 'stand-in', user: 'stand-in' } }],
        'current-context': 'stand-in',
      },
      { version: '1.1' },
    );
  }

  kubeConfig(): KubeConfig {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(this.kubeconfigYaml());
    return kubeConfig;
  }

  requestCount(): number {
    return this.requests.length;
  }

  openWatchCount(plural?: string): number {
    return [...this.watches].filter((w) => plural === undefined || w.plural === plural).length;
  }

  currentResourceVersion(): string {
    return String(this.resourceVersion);
  }

  /**
   * Creates or replaces an object, as the API server would after a write: new
   * resourceVersion, server-set fields (uid, creationTimestamp, managedFields).
   * `silently` stores it without any watch event (a lost event).
   */
  put(object: StandInObject, options: { silently?: boolean } = {}): void {
    const type = typeOfKind(object.kind);
    const store = this.store(type.plural);
    const key = objectKey(object.metadata.namespace, object.metadata.name);
    const previous = store.get(key);
    const stored: StandInObject = structuredClone({ ...object, apiVersion: object.apiVersion ?? type.apiVersion });
    stored.metadata.resourceVersion = String(++this.resourceVersion);
    stored.metadata.uid = previous?.metadata.uid ?? randomUUID();
    stored.metadata.creationTimestamp = previous?.metadata.creationTimestamp ?? new Date().toISOString();
    stored.metadata.managedFields = [{ manager: 'stand-in', operation: 'Update', time: new Date().toISOString() }];
    store.set(key, stored);
    this.record(type.plural, previous ? 'MODIFIED' : 'ADDED', stored, options.silently ?? false);
  }

  remove(kind: string, name: string, namespace?: string): void {
    const type = typeOfKind(kind);
    const store = this.store(type.plural);
    const key = objectKey(namespace, name);
    const previous = store.get(key);
    if (!previous) throw new Error(`stand-in API server: no ${kind} ${key}`);
    store.delete(key);
    const deleted = structuredClone(previous);
    deleted.metadata.resourceVersion = String(++this.resourceVersion);
    this.record(type.plural, 'DELETED', deleted, false);
  }

  /** A copy of a stored object, or undefined. */
  get(kind: string, name: string, namespace?: string): StandInObject | undefined {
    const stored = this.store(typeOfKind(kind).plural).get(objectKey(namespace, name));
    return stored && structuredClone(stored);
  }

  /** Calls `listener` synchronously with every change, from a test's put or a client's write. Returns a function that stops the calls. */
  onObjectChange(listener: (type: EventType, object: StandInObject) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** The next `times` requests for `plural` (of one verb, or any) are answered with `status`. */
  failNext(plural: string, status: number, options: { times?: number; verb?: RequestVerb } = {}): void {
    this.failures.push({ plural, status, verb: options.verb, remaining: options.times ?? 1 });
  }

  /** Without Kuma's CRDs every kuma.io request gets 404 and open kuma.io watches end. */
  setKumaCrdsInstalled(installed: boolean): void {
    this.kumaCrdsInstalled = installed;
    if (!installed) this.endWatches((w) => typeOfPlural(w.plural)?.apiVersion === KUMA_API_VERSION);
  }

  /** Every resourceVersion seen so far becomes too old to watch from (etcd compaction). */
  expireHistory(answer: 'event' | 'status' = 'event'): void {
    this.oldestWatchable = this.resourceVersion + 1;
    this.goneAs = answer;
  }

  /** Cuts open watch connections abruptly (the socket is destroyed mid-stream). */
  breakWatches(filter: (plural: string) => boolean = () => true): void {
    for (const watch of [...this.watches]) {
      if (!filter(watch.plural)) continue;
      this.watches.delete(watch);
      watch.response.socket?.destroy();
    }
  }

  /** Ends open watch connections cleanly, as the API server does when a watch times out. */
  endWatches(filter: (watch: OpenWatch) => boolean = () => true): void {
    for (const watch of [...this.watches]) {
      if (!filter(watch)) continue;
      this.watches.delete(watch);
      watch.response.end();
    }
  }

  async close(): Promise<void> {
    this.breakWatches();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private store(plural: string): Map<string, StandInObject> {
    let store = this.objects.get(plural);
    if (!store) this.objects.set(plural, (store = new Map<string, StandInObject>()));
    return store;
  }

  private record(plural: string, type: EventType, object: StandInObject, silently: boolean): void {
    for (const listener of this.changeListeners) listener(type, structuredClone(object));
    // A silent change is a lost event: neither open nor resumed watches see it, only a list does.
    if (silently) return;
    const event = { resourceVersion: this.resourceVersion, plural, type, object };
    this.history.push(event);
    for (const watch of this.watches) {
      if (this.watchSees(watch, event)) this.send(watch.response, type, object);
    }
  }

  private watchSees(watch: OpenWatch, event: StoredEvent): boolean {
    return (
      watch.plural === event.plural &&
      (watch.namespace === undefined || watch.namespace === event.object.metadata.namespace) &&
      matchesFieldSelector(event.object, watch.fieldSelector)
    );
  }

  private send(response: ServerResponse, type: string, object: object): void {
    response.write(`${JSON.stringify({ type, object })}\n`);
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const query = Object.fromEntries(url.searchParams);
    const route = parseRoute(url.pathname);
    const discovery = request.method === 'GET' ? discoveryDocument(url.pathname) : undefined;
    const verb = discovery ? 'discovery' : verbOf(request.method, route, query);
    this.requests.push({ method: request.method ?? '', path: url.pathname, verb, resource: route?.type.plural, query });
    if (discovery) {
      this.answer(response, 200, discovery);
      return;
    }
    if (verb === 'other' || !route) {
      this.answer(response, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    if (route.type.apiVersion === KUMA_API_VERSION && !this.kumaCrdsInstalled) {
      this.answer(response, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    const failure = this.failures.find((f) => f.plural === route.type.plural && (f.verb ?? verb) === verb);
    if (failure) {
      if (--failure.remaining <= 0) this.failures.splice(this.failures.indexOf(failure), 1);
      const reason = REASONS[failure.status] ?? 'InternalError';
      this.answer(response, failure.status, status(failure.status, reason, `stand-in: planned ${failure.status}`));
      return;
    }
    if (verb === 'list' || verb === 'watch') {
      const watch: OpenWatch = { plural: route.type.plural, namespace: route.namespace, fieldSelector: query.fieldSelector, response };
      if (verb === 'list') this.list(route.type, watch, response);
      else this.watch(watch, query.resourceVersion);
      return;
    }
    void readBody(request).then(
      (body) => this.write(verb, route, body, response),
      () => this.answer(response, 400, status(400, 'BadRequest', 'unreadable body')),
    );
  }

  /** get, create, update and patch of one object, with the API server's conflict answers. */
  private write(verb: RequestVerb, route: Route, body: string, response: ServerResponse): void {
    const store = this.store(route.type.plural);
    const name = route.name ?? (JSON.parse(body || '{}') as StandInObject).metadata?.name ?? '';
    const existing = store.get(objectKey(route.namespace, name));
    const notFound = () => this.answer(response, 404, status(404, 'NotFound', `${route.type.plural} "${name}" not found`));
    if (verb === 'get') {
      if (existing) this.answer(response, 200, existing);
      else notFound();
      return;
    }
    if (verb === 'create') {
      if (existing) {
        this.answer(response, 409, status(409, 'AlreadyExists', `${route.type.plural} "${name}" already exists`));
        return;
      }
      this.put({ ...(JSON.parse(body) as StandInObject), kind: route.type.kind });
      this.answer(response, 201, store.get(objectKey(route.namespace, name))!);
      return;
    }
    if (!existing) {
      notFound();
      return;
    }
    let next: StandInObject;
    if (verb === 'update') {
      next = JSON.parse(body) as StandInObject;
      const expected = next.metadata.resourceVersion;
      if (expected !== undefined && expected !== existing.metadata.resourceVersion) {
        this.answer(response, 409, status(409, 'Conflict', `the object has been modified; please apply your changes to the latest version and try again`));
        return;
      }
    } else {
      try {
        next = applyPatch(structuredClone(existing), JSON.parse(body) as Operation[], true, false).newDocument;
      } catch (error) {
        this.answer(response, 422, status(422, 'Invalid', `stand-in: patch refused: ${(error as Error).message}`));
        return;
      }
    }
    this.put({ ...next, kind: route.type.kind, metadata: { ...next.metadata, name, namespace: route.namespace } });
    this.answer(response, 200, store.get(objectKey(route.namespace, name))!);
  }

  private matching(watch: OpenWatch): StandInObject[] {
    return [...this.store(watch.plural).values()].filter(
      (o) => (watch.namespace === undefined || o.metadata.namespace === watch.namespace) && matchesFieldSelector(o, watch.fieldSelector),
    );
  }

  private list(type: ResourceType, selection: OpenWatch, response: ServerResponse): void {
    this.answer(response, 200, {
      apiVersion: type.apiVersion,
      kind: `${type.kind}List`,
      metadata: { resourceVersion: this.currentResourceVersion() },
      items: this.matching(selection),
    });
  }

  private watch(watch: OpenWatch, fromVersion: string | undefined): void {
    const from = fromVersion ? Number(fromVersion) : undefined;
    if (from !== undefined && from < this.oldestWatchable) {
      const gone = status(410, 'Expired', `too old resource version: ${from} (${this.oldestWatchable})`);
      if (this.goneAs === 'status') {
        this.answer(watch.response, 410, gone);
        return;
      }
      watch.response.writeHead(200, { 'content-type': 'application/json' });
      this.send(watch.response, 'ERROR', gone);
      watch.response.end();
      return;
    }
    watch.response.writeHead(200, { 'content-type': 'application/json' });
    watch.response.flushHeaders();
    if (from === undefined) {
      for (const object of this.matching(watch)) this.send(watch.response, 'ADDED', object);
    } else {
      for (const event of this.history) {
        if (event.resourceVersion > from && this.watchSees(watch, event)) this.send(watch.response, event.type, event.object);
      }
    }
    this.watches.add(watch);
    watch.response.on('close', () => this.watches.delete(watch));
  }

  private answer(response: ServerResponse, code: number, body: object): void {
    response.writeHead(code, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }
}

function typeOfPlural(plural: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.plural === plural);
}

interface Route {
  type: ResourceType;
  namespace: string | undefined;
  /** Set for requests on one object (get, update, patch). */
  name: string | undefined;
}

/** `/api/v1[/namespaces/NS]/PLURAL[/NAME]` and `/apis/GROUP/VERSION[/namespaces/NS]/PLURAL[/NAME]`. */
function parseRoute(path: string): Route | undefined {
  const match = /^\/(?:api\/(v1)|apis\/([a-z0-9.-]+\/v[0-9a-z]+))(?:\/namespaces\/([^/]+))?\/([a-z]+)(?:\/([^/]+))?$/.exec(path);
  if (!match) return undefined;
  const [, core, groupVersion, namespace, plural, name] = match;
  const type = typeOfPlural(plural ?? '');
  if (!type || type.apiVersion !== (core ?? groupVersion)) return undefined;
  if (namespace !== undefined && !type.namespaced) return undefined;
  return { type, namespace, name };
}

function verbOf(method: string | undefined, route: Route | undefined, query: Record<string, string>): RequestVerb {
  if (!route) return 'other';
  if (route.name !== undefined) return ({ GET: 'get', PUT: 'update', PATCH: 'patch' } as Record<string, RequestVerb>)[method ?? ''] ?? 'other';
  if (method === 'POST') return 'create';
  if (method !== 'GET') return 'other';
  return query.watch === 'true' || query.watch === '1' ? 'watch' : 'list';
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** The discovery documents clients (helm, kubectl) read before they map a kind to a path. */
function discoveryDocument(path: string): object | undefined {
  const all = [...RESOURCE_TYPES, ...DISCOVERED_ONLY];
  const groupVersions = [...new Set(all.map((t) => t.apiVersion).filter((v) => v.includes('/')))];
  if (path === '/version') return { major: '1', minor: '31', gitVersion: 'v1.31.0', platform: 'linux/amd64' };
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  if (path === '/apis') {
    const groups = groupVersions.map((groupVersion) => {
      const version = { groupVersion, version: groupVersion.split('/')[1] };
      return { name: groupVersion.split('/')[0], versions: [version], preferredVersion: version };
    });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  const groupVersion = path === '/api/v1' ? 'v1' : /^\/apis\/([^/]+\/[^/]+)$/.exec(path)?.[1];
  if (groupVersion === undefined || (groupVersion !== 'v1' && !groupVersions.includes(groupVersion))) return undefined;
  const resources = all
    .filter((t) => t.apiVersion === groupVersion)
    .map((t) => ({ name: t.plural, singularName: t.kind.toLowerCase(), namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] }));
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}
