// Reads Kuma 2.13.10's injector cases (cases.yaml, see its README) and turns
// one case into `kuma-injector inject` arguments: state files in a temp dir,
// the config file, and the constructor settings as flags.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { KubeObject } from '../../webhook/state/index.ts';

export interface CaseSettings {
  controlPlaneUrl?: string;
  caCertFile?: string;
  systemNamespace?: string;
  envoyAdminPort?: number;
  sidecarContainersEnabled?: boolean;
  deltaXdsEnabled?: boolean;
}

export interface ConformanceCase {
  id: string;
  table: string;
  description: string;
  input: string | null;
  inputInline?: Record<string, unknown>;
  golden: string | null;
  config: string;
  clusterState?: KubeObject[];
  overrides?: CaseSettings;
  expect: 'inject' | 'skip' | 'error';
  errorText?: string | null;
  errorTextFromSource?: string;
  checks?: {
    sidecarIsFirstContainer?: boolean;
    sidecarInInitContainers?: boolean;
    noSidecarInContainers?: boolean;
    sidecarEnvContains?: { name: string; value: string };
  };
}

export interface CaseFile {
  dir: string;
  defaults: CaseSettings & { clusterState: KubeObject[] };
  cases: ConformanceCase[];
}

export function readCases(injectorDir: string): CaseFile {
  const document = parse(readFileSync(join(injectorDir, 'cases.yaml'), 'utf8'), { version: '1.1' }) as Omit<CaseFile, 'dir'>;
  return { dir: injectorDir, ...document };
}

/** Cluster objects of a case: the defaults, plus the case's (its Namespace `default` replaces any earlier one). */
export function caseObjects(file: CaseFile, testCase: ConformanceCase): KubeObject[] {
  const objects = [...file.defaults.clusterState, ...(testCase.clusterState ?? [])];
  if (!objects.some((object) => object.kind === 'Namespace' && object.metadata.name === 'default')) {
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  }
  return objects;
}

/** Writes the case's state file into `tempDir` and returns the `inject` arguments (input via `-f FILE` or stdin). */
export function caseArgv(file: CaseFile, testCase: ConformanceCase, tempDir: string): { argv: string[]; stdin?: string } {
  const settings = { ...file.defaults, ...testCase.overrides };
  const stateFile = join(tempDir, `${testCase.id}.state.yaml`);
  writeFileSync(stateFile, caseObjects(file, testCase).map((object) => stringify(object)).join('---\n'));
  const argv = [
    '--config', join(file.dir, testCase.config),
    '--config-defaults', 'none',
    '--state', stateFile,
    '--ca-cert-file', join(file.dir, settings.caCertFile ?? ''),
    '--control-plane-url', settings.controlPlaneUrl ?? '',
    '--system-namespace', settings.systemNamespace ?? '',
    '--envoy-admin-port', String(settings.envoyAdminPort),
    '--sidecar-containers', settings.sidecarContainersEnabled ? 'on' : 'off',
  ];
  if (settings.deltaXdsEnabled) argv.push('--delta-xds');
  if (testCase.input === null) return { argv: ['-f', '-', ...argv], stdin: stringify(testCase.inputInline) };
  return { argv: ['-f', join(file.dir, testCase.input), ...argv] };
}

export const casePath = (file: CaseFile, name: string): string => join(file.dir, name);
