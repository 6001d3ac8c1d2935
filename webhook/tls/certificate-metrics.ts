// The serving certificate's expiry as a Prometheus gauge, read from the key
// pair in use at every scrape: an alert on `time() > expiry - 7d` catches a
// rotation that stopped working before the API server starts refusing calls.
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import { leafCertificate, validityOf } from './certificate-checks.ts';
import type { KeyPairSource } from './key-pair-source.ts';

export const expiryMetricName = 'kuma_injector_serving_certificate_expiry_timestamp_seconds';

/** Registers the gauge on `registry` (e.g. WebhookMetrics.registry); it follows `source` without further calls. */
export function registerCertificateExpiry(registry: Registry, source: KeyPairSource): void {
  new Gauge({
    name: expiryMetricName,
    help: 'Unix time at which the serving certificate in use expires (notAfter).',
    registers: [registry],
    collect() {
      this.set(validityOf(leafCertificate(source.current().cert)).notAfter.getTime() / 1000);
    },
  });
}
