// The human-readable form of `kuma-injector explain`.
import type { PodDecision } from './explain-decision.ts';

export interface ExplainedDocument extends PodDecision {
  /** 1-based position of the YAML document in the input. */
  document: number;
  kind: string;
  name: string;
  namespace?: string;
  /** Dotted path of the pod template inside a workload (absent for a Pod). */
  template?: string;
}

const verdictText = {
  inject: 'WOULD BE INJECTED',
  skip: 'would NOT be injected (skipped)',
  refuse: 'would be REFUSED',
  unreached: 'NEVER REACHES THE WEBHOOK: created without a sidecar',
} as const;

function webhookLines(d: ExplainedDocument): string[] {
  if (!d.webhook) return [];
  const reached = d.webhook.webhooks.filter((w) => w.unmet === undefined).map((w) => w.webhook);
  const lines = [`  webhook: ${reached.length ? `called (${reached.join(', ')})` : 'not called'}; selectors from ${d.webhook.from}`];
  if (!reached.length) {
    if (d.webhook.webhooks.length === 0) lines.push('    no webhook for Pod CREATE at /inject-sidecar');
    for (const w of d.webhook.webhooks) lines.push(`    ${w.webhook}: ${w.unmet ?? ''}`);
    if (d.injectorVerdict) lines.push(`    if it were called: ${verdictText[d.injectorVerdict]}`);
  }
  return lines;
}

function modesLine(d: ExplainedDocument): string {
  const m = d.modes;
  const placement =
    m.placement === 'native'
      ? 'native sidecar (kuma-sidecar in initContainers, restartPolicy Always)'
      : `classic (kuma-sidecar is containers[0]; its init container goes ${m.initContainerFirst ? 'first' : 'last'} in initContainers)`;
  const tproxy =
    m.transparentProxy === 'legacy-annotations'
      ? 'legacy annotations (kuma-init gets kumactl flags)'
      : `config annotation (traffic.kuma.io/transparent-proxy-config from ConfigMap ${m.transparentProxyConfigMap ?? ''})`;
  return `placement ${placement}; transparent proxy via ${tproxy}; CNI ${m.cni ? 'on (kuma-validation instead of kuma-init)' : 'off'}`;
}

function entries(map: Record<string, string>): string[] {
  return Object.entries(map).map(([k, v]) => `${k}=${v.includes('\n') ? JSON.stringify(v) : v}`);
}

export function renderExplanation(d: ExplainedDocument): string {
  const where = d.template ? ` (pod template at ${d.template})` : '';
  const target = `${d.kind} ${d.namespace ? `${d.namespace}/` : ''}${d.name}${where}`;
  const lines = [`document ${d.document}: ${target}: ${verdictText[d.verdict]}${d.mesh && d.verdict === 'inject' ? ` into mesh ${d.mesh}` : ''}`];
  lines.push(...webhookLines(d));
  for (const hint of d.hints ?? []) lines.push(`  hint: ${hint}`);
  if (d.message) lines.push(`  ${d.verdict === 'refuse' || d.injectorVerdict === 'refuse' ? 'error' : 'reason'} (${d.reason}): ${d.message}`);
  lines.push('  decision:');
  const width = Math.max(...d.steps.map((s) => s.step.length));
  for (const s of d.steps) lines.push(`    ${(s.decides ? `[${s.decides}]` : '[ok]').padEnd(8)} ${s.step.padEnd(width)}  ${s.finding}`);
  for (const warning of d.warnings ?? []) lines.push(`  warning: ${warning}`);
  if (d.added) {
    lines.push(`  modes: ${modesLine(d)}`);
    const a = d.added;
    lines.push('  would add:');
    for (const c of a.containers) lines.push(`    container ${c.name} (${c.image}) at ${c.position}${c.nativeSidecar ? ', native sidecar' : ''}`);
    if (a.volumes.length) lines.push(`    volumes: ${a.volumes.join(', ')}`);
    for (const e of entries(a.annotations)) lines.push(`    annotation ${e}`);
    for (const e of entries(a.labels)) lines.push(`    label ${e}`);
    for (const p of a.probeRewrites) lines.push(`    probe ${p.container}.${p.probe}: ${p.before}  ->  ${p.after}`);
    lines.push(`    JSON patch: ${a.patchOperations} operations`);
  }
  return lines.join('\n');
}
