// The real process for runPlugin: env, bounded stdin, stdout/stderr, the log
// file. Two environment variables exist for tests and development only:
// KUMA_CNI_LOG_FILE (instead of /tmp/kuma-cni.log) and
// KUMA_CNI_POD_RETRY_INTERVAL_MS (0–1000, instead of Kuma's 1 s between pod
// GET attempts; the number of attempts stays Kuma's).
import { readSync } from 'node:fs';
import { DEFAULT_LOG_FILE } from './log.ts';
import { KUMA_POD_RETRY } from './pod-api.ts';
import type { PluginIo } from './plugin.ts';
import { MAX_STDIN_BYTES } from './protocol.ts';

/** Reads fd 0 until EOF or one byte past the cap (the caller rejects an oversized config). */
function readStdinBounded(): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.alloc(64 * 1024);
  while (total <= MAX_STDIN_BYTES) {
    let n: number;
    try {
      n = readSync(0, chunk, 0, chunk.length, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      if ((error as NodeJS.ErrnoException).code === 'EOF') break;
      throw error;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(chunk.subarray(0, n)));
    total += n;
  }
  return Buffer.concat(chunks).subarray(0, MAX_STDIN_BYTES + 1);
}

function retryInterval(env: NodeJS.ProcessEnv): number {
  const value = Number(env.KUMA_CNI_POD_RETRY_INTERVAL_MS);
  return env.KUMA_CNI_POD_RETRY_INTERVAL_MS !== undefined && Number.isInteger(value) && value >= 0 && value <= 1000 ? value : KUMA_POD_RETRY.intervalMs;
}

export function processPluginIo(): PluginIo {
  return {
    env: process.env,
    readStdin: readStdinBounded,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    logFile: process.env.KUMA_CNI_LOG_FILE || DEFAULT_LOG_FILE,
    retry: { retries: KUMA_POD_RETRY.retries, intervalMs: retryInterval(process.env) },
  };
}
