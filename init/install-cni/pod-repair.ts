// The race repair's executor: watches the pods of this node (field selector
// spec.nodeName) and applies repairDecision to each, rate-limited, only while
// the node's chain is ready (a pod deleted before that would be recreated just
// as broken). Every action is logged. The watch restarts after an error or an
// end, with a growing delay; restarting without a resourceVersion replays the
// node's pods, and decisions are idempotent.
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, Watch, type V1Pod } from '@kubernetes/client-node';
import type { RepairConfig } from './config.ts';
import type { AgentLog } from './log.ts';
import { SlidingWindowLimit } from './rate-limit.ts';
import { repairDecision } from './repair-decision.ts';

const MINUTE_MS = 60_000;
const MAX_RETRY_MS = 30_000;
/** While the chain is not ready, pending pods are looked at again this often. */
const NOT_READY_RETRY_MS = 1000;

/** The agent's own API access: a kubeconfig file (tests, out of cluster), else the pod's service account. */
export function repairKubeConfig(file: string | undefined): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (file) kubeConfig.loadFromFile(file);
  else kubeConfig.loadFromCluster();
  return kubeConfig;
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : JSON.stringify(error) ?? 'unknown error');

interface PendingPod {
  namespace: string;
  name: string;
  action: 'delete' | 'label';
  reason: string;
}

export class PodRepair {
  private readonly pending = new Map<string, PendingPod>();
  private readonly limit: SlidingWindowLimit;
  private readonly api: CoreV1Api;
  private abort: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retryMs = 1000;
  private stopped = false;
  private draining = false;

  constructor(
    private readonly config: RepairConfig,
    private readonly kubeConfig: KubeConfig,
    private readonly log: AgentLog,
    private readonly ready: () => boolean,
  ) {
    this.limit = new SlidingWindowLimit(config.perMinute, MINUTE_MS);
    this.api = kubeConfig.makeApiClient(CoreV1Api);
  }

  start(): void {
    this.log.info('race repair: watching pods', { node: this.config.nodeName, mode: this.config.mode, perMinute: this.config.perMinute });
    void this.watch();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort?.abort();
  }

  /** Called when the chain becomes ready: pods held back can be handled now. */
  nudge(): void {
    if (this.pending.size) this.schedule(0);
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    const restart = (error: unknown) => {
      if (this.stopped) return;
      if (error) this.log.error('race repair: pod watch failed', { error: describe(error) });
      setTimeout(() => void this.watch(), this.retryMs).unref();
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    };
    try {
      this.abort = await new Watch(this.kubeConfig).watch(
        '/api/v1/pods',
        { fieldSelector: `spec.nodeName=${this.config.nodeName}` },
        (type: string, pod: V1Pod) => {
          this.retryMs = 1000;
          this.observe(type, pod);
        },
        restart,
      );
      if (this.stopped) this.abort.abort(); // stopped while the watch was connecting
    } catch (error) {
      restart(error);
    }
  }

  private observe(type: string, pod: V1Pod): void {
    const uid = pod.metadata?.uid;
    const namespace = pod.metadata?.namespace;
    const name = pod.metadata?.name;
    if (!uid || !namespace || !name) return;
    const decision = type === 'DELETED' ? undefined : repairDecision(pod, this.config);
    if (!decision || decision.action === 'none') {
      this.pending.delete(uid);
      return;
    }
    if (!this.pending.has(uid)) this.log.debug('race repair: pod to repair', { pod: `${namespace}/${name}`, action: decision.action, reason: decision.reason });
    this.pending.set(uid, { namespace, name, action: decision.action, reason: decision.reason });
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain();
    }, delayMs);
    this.timer.unref();
  }

  /** Handles pending pods in order; pods added meanwhile are visited by the same loop (Map iteration sees them). */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (const [uid, pod] of this.pending) {
        if (this.stopped) return;
        if (!this.ready()) return this.schedule(NOT_READY_RETRY_MS);
        if (!this.limit.tryTake()) {
          this.log.info('race repair: rate limit reached, pods wait', { waiting: this.pending.size, perMinute: this.config.perMinute });
          return this.schedule(this.limit.msUntilFree());
        }
        this.pending.delete(uid);
        await this.act(pod);
      }
    } finally {
      this.draining = false;
    }
  }

  private async act({ namespace, name, action, reason }: PendingPod): Promise<void> {
    const fields = { pod: `${namespace}/${name}`, reason };
    try {
      if (action === 'delete') {
        await this.api.deleteNamespacedPod({ name, namespace });
        this.log.info('race repair: deleted pod started before kuma-cni was ready', fields);
      } else {
        const { key, value } = this.config.label;
        await this.api.patchNamespacedPod(
          { name, namespace, body: { metadata: { labels: { [key]: value } } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        this.log.info('race repair: labelled pod started before kuma-cni was ready', { ...fields, label: `${key}=${value}` });
      }
    } catch (error) {
      this.log.error(`race repair: could not ${action} pod`, { ...fields, error: describe(error) });
    }
  }
}
