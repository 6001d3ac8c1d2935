// A pod the injector already injected, admitted again (a second matching
// webhook, or an injected manifest re-applied): skipped, and without warnings
// about the annotations the injector itself wrote (virtual probes, mesh, ...).
import { describe, expect, it } from 'vitest';
import { appPod, testContext } from '../../../test-support/webhook/engine-fixtures.ts';
import { injectPod } from '../inject-pod.ts';

describe('re-admission of an injected pod', () => {
  it.each([
    ['application probe proxy', {}],
    ['virtual probes', { 'kuma.io/virtual-probes': 'enabled', 'kuma.io/application-probe-proxy-port': '0' }],
    ['mesh annotation (deprecated)', { 'kuma.io/mesh': 'default' }],
  ])('is skipped without warnings about its own annotations (%s)', (_name, annotations) => {
    const ctx = testContext();
    const first = injectPod(appPod({ annotations }), ctx);
    expect(first.result).toBe('injected');
    if (first.result !== 'injected') return;
    const again = injectPod(first.pod, ctx);
    expect(again).toMatchObject({ result: 'skipped', reason: 'already_injected' });
    expect(again.result === 'skipped' ? (again.warnings ?? []) : ['not skipped']).toEqual([]);
  });

  it('a first admission still reports the deprecated annotations it was given', () => {
    const outcome = injectPod(appPod({ annotations: { 'kuma.io/virtual-probes': 'enabled' } }), testContext());
    expect(outcome.result === 'injected' ? outcome.warnings : []).toContain(
      "WARNING: using deprecated pod annotation kuma.io/virtual-probes: 'kuma.io/virtual-probes' will be removed in a future release",
    );
  });
});
