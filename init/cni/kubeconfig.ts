// The kubeconfig install-cni writes (kumahq/kuma@v2.13.10:
// app/cni/pkg/install/kubeconfig.go): one current context whose cluster has
// a server and a CA (data or file) or skips TLS verification, and whose user
// has a bearer token, nothing else. Read directly (kube-client.ts says why);
// any other field or shape returns undefined and the kubeconfig goes through
// client-node. Pure apart from reading a CA file.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface SimpleKubeconfig {
  server: string;
  ca?: Buffer;
  insecure: boolean;
  tlsServerName?: string;
  token?: string;
}

type Named = { name?: unknown; [k: string]: unknown };
const CLUSTER_KEYS = new Set(['server', 'certificate-authority-data', 'certificate-authority', 'insecure-skip-tls-verify', 'tls-server-name']);
const USER_KEYS = new Set(['token']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const only = (o: Record<string, unknown>, keys: Set<string>) => Object.keys(o).every((k) => keys.has(k));

function byName(list: unknown, name: unknown, field: string): Record<string, unknown> | undefined {
  if (!Array.isArray(list)) return undefined;
  const matches = (list as Named[]).filter((e) => isObject(e) && e.name === name);
  const entry = matches.length === 1 ? matches[0]![field] : undefined;
  return isObject(entry) ? entry : undefined;
}

export function simpleKubeconfig(text: string): SimpleKubeconfig | undefined {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 0 });
  } catch {
    return undefined; // client-node reports it
  }
  if (!isObject(doc) || typeof doc['current-context'] !== 'string') return undefined;
  const context = byName(doc.contexts, doc['current-context'], 'context');
  if (!context || !only(context, new Set(['cluster', 'user', 'namespace']))) return undefined;
  const cluster = byName(doc.clusters, context.cluster, 'cluster');
  const user = context.user === undefined ? {} : byName(doc.users, context.user, 'user');
  if (!cluster || !user || !only(cluster, CLUSTER_KEYS) || !only(user, USER_KEYS)) return undefined;
  const { server, token } = { server: cluster.server, token: user.token };
  const insecure = cluster['insecure-skip-tls-verify'] ?? false;
  const tlsServerName = cluster['tls-server-name'];
  if (typeof server !== 'string' || !/^https?:\/\//.test(server) || typeof insecure !== 'boolean') return undefined;
  if ((token !== undefined && typeof token !== 'string') || (tlsServerName !== undefined && typeof tlsServerName !== 'string')) return undefined;
  let ca: Buffer | undefined;
  const caData = cluster['certificate-authority-data'];
  const caFile = cluster['certificate-authority'];
  if (caData !== undefined) {
    if (typeof caData !== 'string') return undefined;
    ca = Buffer.from(caData, 'base64');
  } else if (caFile !== undefined) {
    if (typeof caFile !== 'string') return undefined;
    try {
      ca = readFileSync(caFile);
    } catch {
      return undefined; // client-node reports it
    }
  }
  return { server, ca, insecure, tlsServerName, token };
}
