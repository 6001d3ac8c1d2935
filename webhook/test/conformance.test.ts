// Kuma 2.13.10's own injector test cases (all of cases.yaml), run through the
// `kuma-injector inject` command in-process, compared with Kuma's golden Pods
// as YAML data. Every injected case also checks the patch invariant: applying
// the engine's JSON patch to the input gives the injected pod.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import jsonpatch from 'fast-json-patch';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { conformanceDir, missingConformance } from '../../test-support/environment.ts';
import { injectPod, type Pod } from '../engine/index.ts';
import { contextFromFlags } from '../../test-support/webhook/engine-fixtures.ts';
import { type CaseFile, caseArgv, casePath, type ConformanceCase, readCases } from '../../test-support/webhook/conformance-cases.ts';
import { injectOffline } from '../../test-support/webhook/inject-offline.ts';
import { injectOptionsOf } from '../../test-support/webhook/inject-options.ts';
import { yamlDataDiff } from '../../test-support/webhook/yaml-data-diff.ts';

const skip = missingConformance('injector');
const file: CaseFile | undefined = skip ? undefined : readCases(join(conformanceDir(), 'injector'));
const tempDir = mkdtempSync(join(tmpdir(), `kuma-conformance-${process.pid}-`));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

const readYaml = (path: string): unknown => parse(readFileSync(path, 'utf8'), { version: '1.1' });

async function runCase(caseFile: CaseFile, testCase: ConformanceCase) {
  const { argv, stdin } = caseArgv(caseFile, testCase, tempDir);
  return { argv, ...(await injectOffline(argv, stdin)) };
}

type Named = { name?: string; env?: { name: string; value?: string; valueFrom?: unknown }[] };

function checkExtras(testCase: ConformanceCase, pod: { spec?: { containers?: Named[]; initContainers?: Named[] } }): void {
  const containers = pod.spec?.containers ?? [];
  const checks = testCase.checks ?? {};
  if (checks.sidecarIsFirstContainer) expect(containers[0]?.name, 'first container').toBe('kuma-sidecar');
  if (checks.sidecarInInitContainers) {
    expect((pod.spec?.initContainers ?? []).map((c) => c.name), 'init containers').toContain('kuma-sidecar');
  }
  if (checks.noSidecarInContainers) expect(containers.map((c) => c.name), 'containers').not.toContain('kuma-sidecar');
  if (checks.sidecarEnvContains) {
    const sidecar = containers.find((c) => c.name === 'kuma-sidecar');
    const { name, value } = checks.sidecarEnvContains;
    expect(sidecar?.env?.some((e) => e.name === name && e.value === value && e.valueFrom === undefined), `env ${name}=${value}`).toBe(true);
  }
}

describe.skipIf(skip)('Kuma 2.13.10 injector conformance (cases.yaml)', () => {
  const cases = file?.cases ?? [];

  it('has all 94 cases', () => {
    expect(cases).toHaveLength(94);
  });

  it.each(cases.map((testCase) => [testCase.id, testCase] as const))('case %s', async (id, testCase) => {
    const caseFile = file!;
    const where = `case ${id} (${testCase.description}), golden ${testCase.golden ?? 'none'}`;
    const { argv, exitCode, stdout, stderr } = await runCase(caseFile, testCase);

    if (testCase.expect === 'error') {
      expect(exitCode, `${where}: must fail; stdout ${stdout}`).not.toBe(0);
      expect(stdout, where).toBe('');
      const text = testCase.errorText ?? testCase.errorTextFromSource;
      if (text) expect(stderr, where).toContain(text);
      return;
    }
    expect(stderr.split('\n').filter((line) => line !== '' && !line.startsWith('Warning: ')), where).toEqual([]);
    expect(exitCode, where).toBe(0);
    const documents = parseAllDocuments(stdout, { version: '1.1' }).map((d) => d.toJS() as unknown);
    expect(documents, where).toHaveLength(1);
    const output = documents[0] as Pod;
    const input = (testCase.input ? readYaml(casePath(caseFile, testCase.input)) : testCase.inputInline) as Pod;

    if (testCase.golden) {
      const diff = yamlDataDiff(output, readYaml(casePath(caseFile, testCase.golden)));
      expect(diff.join('\n'), `${where}: output differs from the golden file`).toBe('');
    }
    checkExtras(testCase, output);

    const outcome = injectPod(input, contextFromFlags(injectOptionsOf(argv)));
    if (testCase.expect === 'skip') {
      expect(outcome.result, where).toBe('skipped');
      expect(yamlDataDiff(output, input).join('\n'), `${where}: a skipped pod must be unchanged`).toBe('');
      return;
    }
    expect(outcome.result, where).toBe('injected');
    if (outcome.result !== 'injected') return;
    const inputCopy = structuredClone(input);
    const patched = jsonpatch.applyPatch(structuredClone(input), structuredClone(outcome.patch), true, false).newDocument;
    expect(patched, `${where}: patch applied to the input must give the injected pod`).toEqual(outcome.pod);
    expect(input, `${where}: the input must not be modified`).toEqual(inputCopy);
    expect(yamlDataDiff(outcome.pod, output).join('\n'), `${where}: engine and command agree`).toBe('');
    expect(outcome.patch.every((op) => op.path !== '' && op.path !== '/spec' && op.path !== '/metadata'), `${where}: targeted ops`).toBe(true);
  });
});

describe.skipIf(skip)('the real bin: node bin/kuma-injector.js inject', () => {
  const bin = resolve(import.meta.dirname, '../../bin/kuma-injector.js');
  const picked = ['01', '02-sidecar-feature', '28', 'skip-2', 'shouldfail-2', 'delta-xds-3'];

  it.each(picked)('case %s', (id) => {
    const caseFile = file!;
    const testCase = caseFile.cases.find((c) => c.id === id)!;
    const { argv, stdin } = caseArgv(caseFile, testCase, tempDir);
    const run = spawnSync(process.execPath, [bin, 'inject', ...argv], { input: stdin ?? '', encoding: 'utf8', timeout: 20_000 });
    const where = `case ${id}, golden ${testCase.golden ?? 'none'}`;
    if (testCase.expect === 'error') {
      expect(run.status, where).not.toBe(0);
      expect(run.stderr, where).toContain(testCase.errorTextFromSource!);
      return;
    }
    expect(run.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('Warning: ')), where).toEqual([]);
    expect(run.status, where).toBe(0);
    const output = parse(run.stdout, { version: '1.1' }) as unknown;
    if (testCase.golden) {
      expect(yamlDataDiff(output, readYaml(casePath(caseFile, testCase.golden))).join('\n'), where).toBe('');
    }
    checkExtras(testCase, output as never);
  });
});
