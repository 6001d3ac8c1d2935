// Self-managed serving certificates: the webhook keeps its CA and serving
// pair in a Secret, keeps its own MutatingWebhookConfiguration's caBundle in
// step with it, and serves the stored pair (a KeyPairSource, as files are).
// Every replica runs the same passes; they agree through the Secret: it is
// created once (create, and on 409 read the winner's), and every change is an
// update at the resourceVersion read, so a replica that lost a race re-reads
// instead of overwriting. The caBundle patch is tested against the value read.
//
// One pass: read the caBundle, then the Secret (that order: a caBundle read
// after another replica added a CA comes with a Secret that holds it), take at
// most one step of ./rotation-plan.ts and store it, make the caBundle trust
// exactly the stored CAs, note when it first held a next CA, serve the stored
// pair. Passes run at start, every `resyncMs`, and when a planned wait ends.
import type { KeyPair } from '../key-pair.ts';
import type { KeyPairSource } from '../key-pair-source.ts';
import { assertServable, leafCertificate, validityOf } from '../certificate-checks.ts';
import { createCa, issueServing, lifetimeFrom } from '../certificate-issuer.ts';
import { ConflictError } from './certificate-api.ts';
import type { CertificateApi, StoredSecret, WebhookTrust } from './certificate-api.ts';
import { defaultRotationPolicy, planRotation } from './rotation-plan.ts';
import type { RotationPolicy, RotationStep } from './rotation-plan.ts';
import { decodeState, encodeState, trustedBundle } from './tls-state.ts';
import type { TlsState } from './tls-state.ts';

export interface TlsLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface SelfManagedTlsOptions {
  api: CertificateApi;
  /** DNS names of the serving certificate: the webhook Service's (`<service>.<namespace>.svc`). */
  dnsNames: string[];
  policy?: Partial<RotationPolicy>;
  /** Re-read of the Secret and the caBundle, in ms (default 30 s); overlapMs must exceed it. */
  resyncMs?: number;
  log?: TlsLogger;
  /**
   * How long start() keeps trying (default 60 s): at install, Helm creates the
   * MutatingWebhookConfiguration after the Deployment, and RBAC may lag.
   */
  startTimeoutMs?: number;
  /** The clock (tests). */
  now?: () => Date;
}

/** Passes that lose a write race start over, a few times, before waiting for the next resync. */
const maxAttempts = 5;
const startRetryMs = 1000;
const silent: TlsLogger = { info: () => {}, warn: () => {}, error: () => {} };

export class SelfManagedTls implements KeyPairSource {
  private pair: KeyPair | undefined;
  private readonly listeners = new Set<(pair: KeyPair) => void>();
  private readonly policy: RotationPolicy;
  private readonly resyncMs: number;
  private readonly log: TlsLogger;
  private readonly now: () => Date;
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private forceRotation = false;

  private constructor(private readonly options: SelfManagedTlsOptions) {
    this.policy = { ...defaultRotationPolicy, ...options.policy };
    this.resyncMs = options.resyncMs ?? 30_000;
    this.log = options.log ?? silent;
    this.now = options.now ?? (() => new Date());
    if (this.policy.overlapMs <= this.resyncMs) throw new Error(`overlapMs (${this.policy.overlapMs}) must exceed resyncMs (${this.resyncMs}): every replica must re-read the Secret before the old CA leaves the caBundle`);
  }

  /** Runs the first pass until it succeeds: resolves once a pair is served and the caBundle trusts it; throws after startTimeoutMs. */
  static async start(options: SelfManagedTlsOptions): Promise<SelfManagedTls> {
    const tls = new SelfManagedTls(options);
    const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
    for (;;) {
      try {
        await tls.reconcile({ throwOnError: true });
        return tls;
      } catch (error) {
        if (Date.now() + startRetryMs > deadline) {
          tls.close();
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, startRetryMs));
      }
    }
  }

  current(): KeyPair {
    if (!this.pair) throw new Error('self-managed TLS: no pair yet');
    return this.pair;
  }

  onChange(listener: (pair: KeyPair) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One pass now (after any pass under way). Errors are logged, and thrown only with throwOnError. */
  reconcile(options: { throwOnError?: boolean } = {}): Promise<void> {
    const run = this.queue.then(() => this.pass());
    this.queue = run.catch(() => {});
    return run.catch((error: unknown) => {
      this.log.error({ err: error }, 'self-managed TLS: pass failed; serving the pair in use, retrying at the next resync');
      this.schedule(this.resyncMs);
      if (options.throwOnError) throw error;
    });
  }

  /** Starts a CA rotation now (operators, tests); it completes through the usual waits. */
  rotateCa(): Promise<void> {
    this.forceRotation = true;
    return this.reconcile({ throwOnError: true });
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.listeners.clear();
  }

  private async pass(): Promise<void> {
    if (this.closed) return;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        const step = await this.attempt();
        this.schedule(this.delayAfter(step));
        return;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt === maxAttempts) throw error;
        this.log.info({ attempt, reason: error.message }, 'self-managed TLS: another replica wrote first; reading again');
      }
    }
  }

  private async attempt(): Promise<RotationStep> {
    const trust = await this.options.api.readWebhookTrust();
    const usable = await this.usableState(await this.ensureSecret());
    let stored = usable.stored;
    let current = usable.state;

    const step: RotationStep = this.forceRotation && !current.next && !current.previousCaCert ? { step: 'prepare-ca', reason: 'rotation requested' } : planRotation(current, this.now(), this.policy);
    const next = await this.apply(step, current);
    if (next) {
      stored = await this.options.api.updateSecret(encodeState(next), stored.resourceVersion);
      current = next;
      if (step.step === 'prepare-ca') this.forceRotation = false;
      this.log.info({ step: step.step, reason: 'reason' in step ? step.reason : undefined }, `self-managed TLS: ${step.step}`);
    }

    await this.trustStoredCas(trust, current);
    if (current.next && !current.nextTrustedSince) {
      current = { ...current, nextTrustedSince: this.now() };
      await this.options.api.updateSecret(encodeState(current), stored.resourceVersion);
    }
    this.serve(current.serving);
    return next ? planRotation(current, this.now(), this.policy) : step;
  }

  /** The stored Secret, created with a fresh CA and pair when absent; on a create race, the winner's. */
  private async ensureSecret(): Promise<StoredSecret> {
    const existing = await this.options.api.readSecret();
    if (existing) return existing;
    try {
      const created = await this.options.api.createSecret(encodeState(await this.freshState()));
      this.log.info({}, 'self-managed TLS: created the CA and serving certificate');
      return created;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const winner = await this.options.api.readSecret();
      if (!winner) throw error;
      return winner;
    }
  }

  /** A Secret that cannot be read back (keys missing, PEM broken) is replaced, at its resourceVersion. */
  private async usableState(stored: StoredSecret): Promise<{ stored: StoredSecret; state: TlsState }> {
    const decoded = decodeState(stored);
    if (!('unusable' in decoded)) return { stored, state: decoded };
    this.log.warn({ reason: decoded.unusable }, 'self-managed TLS: the stored Secret is unusable; replacing it with a new CA');
    const state = await this.freshState();
    return { stored: await this.options.api.updateSecret(encodeState(state), stored.resourceVersion), state };
  }

  private async freshState(): Promise<TlsState> {
    const ca = await createCa('kuma-injector self-managed CA', lifetimeFrom(this.now(), this.policy.caValidityMs));
    return { ca, serving: await this.issue(ca) };
  }

  /** A serving pair from `ca`, never valid beyond the CA. */
  private issue(ca: KeyPair): Promise<KeyPair> {
    const lifetime = lifetimeFrom(this.now(), this.policy.servingValidityMs);
    const caEnd = validityOf(leafCertificate(ca.cert)).notAfter;
    return issueServing(ca, { dnsNames: this.options.dnsNames }, { ...lifetime, notAfter: lifetime.notAfter < caEnd ? lifetime.notAfter : caEnd });
  }

  /** The state after `step`, or undefined when the step stores nothing. */
  private async apply(step: RotationStep, state: TlsState): Promise<TlsState | undefined> {
    switch (step.step) {
      case 'renew-serving':
        return { ...state, serving: await this.issue(state.ca) };
      case 'prepare-ca': {
        const next = await createCa('kuma-injector self-managed CA', lifetimeFrom(this.now(), this.policy.caValidityMs));
        return { ...state, next, nextTrustedSince: undefined };
      }
      case 'switch-ca': {
        const ca = state.next!;
        return { ca, serving: await this.issue(ca), previousCaCert: state.ca.cert, switchedAt: this.now() };
      }
      case 'drop-previous':
        return { ca: state.ca, serving: state.serving, next: state.next, nextTrustedSince: state.nextTrustedSince };
      case 'none':
      case 'wait':
        return undefined;
    }
  }

  /** Every webhook of the configuration trusts exactly the stored CAs. */
  private async trustStoredCas(trust: WebhookTrust[], state: TlsState): Promise<void> {
    const wanted = Buffer.from(trustedBundle(state), 'utf8').toString('base64');
    if (trust.length === 0) throw new Error('the MutatingWebhookConfiguration has no webhooks to carry the caBundle');
    if (trust.every((w) => w.caBundle === wanted)) return;
    await this.options.api.patchWebhookTrust(trust, wanted);
    this.log.info({ webhooks: trust.map((w) => w.name), cas: (trustedBundle(state).match(/BEGIN CERTIFICATE/g) ?? []).length }, 'self-managed TLS: caBundle updated');
  }

  private serve(pair: KeyPair): void {
    if (this.pair && this.pair.cert === pair.cert && this.pair.key === pair.key) return;
    assertServable(pair, this.now());
    const first = this.pair === undefined;
    this.pair = pair;
    if (!first) {
      this.log.info({ notAfter: validityOf(leafCertificate(pair.cert)).notAfter.toISOString() }, 'self-managed TLS: serving the stored certificate');
      for (const listener of this.listeners) listener(pair);
    }
  }

  private delayAfter(step: RotationStep): number {
    const due = step.step === 'none' ? step.recheckAt : step.step === 'wait' ? step.until : this.now();
    if (due === undefined) return this.resyncMs;
    return Math.max(0, Math.min(this.resyncMs, due.getTime() - this.now().getTime()));
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reconcile(), delayMs).unref();
  }
}
