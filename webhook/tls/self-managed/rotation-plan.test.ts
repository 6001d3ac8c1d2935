import { beforeAll, describe, expect, it } from 'vitest';
import { createCa, dayMs, issueServing, lifetimeFrom } from '../certificate-issuer.ts';
import type { KeyPair } from '../key-pair.ts';
import { defaultRotationPolicy, planRotation } from './rotation-plan.ts';
import { decodeState, encodeState, trustedBundle } from './tls-state.ts';
import type { TlsState } from './tls-state.ts';
import type { RotationStep } from './rotation-plan.ts';

const start = new Date('2027-01-01T00:00:00Z');
const at = (days: number): Date => new Date(start.getTime() + days * dayMs);
const described = (step: RotationStep): string => `${step.step}: ${'reason' in step ? step.reason : ''}`;
const policy = { ...defaultRotationPolicy, caValidityMs: 300 * dayMs, servingValidityMs: 30 * dayMs, renewFraction: 1 / 3 };

describe('planRotation', () => {
  let ca: KeyPair;
  let otherCa: KeyPair;
  let serving: KeyPair;
  let state: TlsState;

  beforeAll(async () => {
    [ca, otherCa] = await Promise.all([createCa('a', lifetimeFrom(start, policy.caValidityMs)), createCa('b', lifetimeFrom(start, policy.caValidityMs))]);
    serving = await issueServing(ca, { dnsNames: ['svc'] }, lifetimeFrom(start, policy.servingValidityMs));
    state = { ca, serving };
  });

  it('does nothing while both certificates are young, and says when to look again', () => {
    const step = planRotation(state, at(1), policy);
    expect(step.step).toBe('none');
    // Two thirds into the serving certificate's 30 days (it starts a minute before `start`).
    expect(step.step === 'none' && Math.round((step.recheckAt.getTime() - start.getTime()) / dayMs)).toBe(20);
  });

  it('renews the serving certificate in place when it is due, foreign or not its key', async () => {
    expect(described(planRotation(state, at(21), policy))).toMatch(/^renew-serving: .*due/);
    const foreign = await issueServing(otherCa, {}, lifetimeFrom(start, policy.servingValidityMs));
    expect(described(planRotation({ ca, serving: foreign }, at(1), policy))).toMatch(/^renew-serving: .*not signed by the active CA/);
    expect(described(planRotation({ ca, serving: { cert: serving.cert, key: foreign.key } }, at(1), policy))).toMatch(/^renew-serving: .*does not belong/);
  });

  it('prepares a new CA two thirds into the CA lifetime, before anything else', () => {
    expect(planRotation(state, at(201), policy)).toMatchObject({ step: 'prepare-ca' });
  });

  it('switches only after the caBundle has held the next CA for the propagation delay', () => {
    const preparing: TlsState = { ...state, next: otherCa };
    expect(planRotation(preparing, at(1), policy)).toEqual({ step: 'wait', for: 'trust' });
    const trusted = { ...preparing, nextTrustedSince: at(1) };
    expect(planRotation(trusted, new Date(at(1).getTime() + policy.propagationMs - 1), policy)).toEqual({ step: 'wait', for: 'trust', until: new Date(at(1).getTime() + policy.propagationMs) });
    expect(planRotation(trusted, new Date(at(1).getTime() + policy.propagationMs), policy)).toEqual({ step: 'switch-ca' });
  });

  it('drops the previous CA only after the overlap', () => {
    const switched: TlsState = { ca: otherCa, serving, previousCaCert: ca.cert, switchedAt: at(2) };
    expect(planRotation(switched, new Date(at(2).getTime() + policy.overlapMs - 1), policy)).toMatchObject({ step: 'wait', for: 'overlap' });
    expect(planRotation(switched, new Date(at(2).getTime() + policy.overlapMs), policy)).toEqual({ step: 'drop-previous' });
  });
});

describe('the stored state', () => {
  it('round-trips through the Secret content, and orders the caBundle previous, active, next', async () => {
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => createCa(n, lifetimeFrom(start, dayMs))));
    const state: TlsState = { ca: b!, serving: a!, next: c!, nextTrustedSince: at(1), previousCaCert: a!.cert, switchedAt: at(2) };
    expect(decodeState(encodeState(state))).toEqual(state);
    expect(trustedBundle(state)).toBe([a!, b!, c!].map((x) => `${x.cert.trimEnd()}\n`).join(''));
    expect(decodeState({ data: { 'ca.crt': 'x' }, annotations: {} })).toEqual({ unusable: 'missing ca.key, tls.crt, tls.key' });
    expect(decodeState({ data: { ...encodeState(state).data, 'tls.crt': 'garbage' }, annotations: {} })).toHaveProperty('unusable', expect.stringMatching(/does not parse/) as string);
  });
});
