// `kuma-injector inject` run in-process on `argv` (e.g. from caseArgv), its
// output captured: the offline answer the conformance and parity tests check.
import { runInjectArgv } from '../../webhook/cli/inject.ts';

export interface OfflineRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function injectOffline(argv: string[], stdin: string | undefined): Promise<OfflineRun> {
  let stdout = '';
  let stderr = '';
  const exitCode = await runInjectArgv(argv, {
    readStdin: () => Promise.resolve(stdin ?? ''),
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
  });
  return { exitCode, stdout, stderr };
}
