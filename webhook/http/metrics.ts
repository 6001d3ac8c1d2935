// Prometheus metrics of the webhook, on an explicit Registry (never the global
// one) so that several servers can live in one process, as in tests.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** How one admission request ended, as metric labels. */
export interface AdmissionLabels {
  /** injected | skipped | refused | ignored | invalid | throttled | aborted | unavailable | error */
  result: string;
  /** The engine's reason code, the reason a review was ignored, or the error code. */
  reason: string;
}

/** Sub-millisecond resolution: a typical admission takes well under 1 ms. */
export const latencyBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

export class WebhookMetrics {
  readonly registry: Registry;
  private readonly admissions: Counter<'result' | 'reason' | 'dry_run'>;
  private readonly latency: Histogram<'result'>;
  private readonly certificateReloads: Counter<'result'>;
  private readonly certificateRefused: Gauge;
  private inflightBytes: () => number = () => 0;
  /** The series of each label set, looked up once: prom-client hashes the labels on every unbound call. */
  private readonly series = new Map<string, { count: Counter.Internal; latency: Histogram.Internal<'result'> }>();

  constructor(options: { processMetrics?: boolean } = {}) {
    this.registry = new Registry();
    this.admissions = new Counter({
      name: 'kuma_injector_admissions_total',
      help: 'Admission requests to /inject-sidecar by result and reason; dry_run marks dry-run reviews.',
      labelNames: ['result', 'reason', 'dry_run'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'kuma_injector_admission_duration_seconds',
      help: 'Time from receiving an admission request to sending its response, by result.',
      labelNames: ['result'],
      buckets: latencyBuckets,
      registers: [this.registry],
    });
    this.certificateReloads = new Counter({
      name: 'kuma_injector_certificate_reloads_total',
      help: 'New serving key pairs found on disk, by result: loaded, or refused (unparsable, mismatched, expired or not yet valid; the old pair stays in use).',
      labelNames: ['result'],
      registers: [this.registry],
    });
    this.certificateRefused = new Gauge({
      name: 'kuma_injector_serving_certificate_refused',
      help: '1 while the key pair on disk was refused and an older one is still served, else 0.',
      registers: [this.registry],
    });
    this.certificateRefused.set(0);
    const inflight: Gauge = new Gauge({
      name: 'kuma_injector_inflight_request_bytes',
      help: 'Bytes of admission request bodies held now, against --max-inflight-bytes (above it requests get 429).',
      registers: [this.registry],
      collect: (): void => inflight.set(this.inflightBytes()),
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  observeAdmission(labels: AdmissionLabels, dryRun: boolean, seconds: number): void {
    // Results and reasons are codes, so the label sets (and this map) are few.
    const key = `${labels.result}\n${labels.reason}\n${dryRun}`;
    let series = this.series.get(key);
    if (series === undefined) {
      series = {
        count: this.admissions.labels({ result: labels.result, reason: labels.reason, dry_run: String(dryRun) }),
        latency: this.latency.labels({ result: labels.result }),
      };
      this.series.set(key, series);
    }
    series.count.inc();
    series.latency.observe(seconds);
  }

  observeCertificateReload(result: 'loaded' | 'refused'): void {
    this.certificateReloads.inc({ result });
    this.certificateRefused.set(result === 'refused' ? 1 : 0);
  }

  /** Where the in-flight gauge reads from (the server's budget). */
  readInflightBytesFrom(read: () => number): void {
    this.inflightBytes = read;
  }

  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
