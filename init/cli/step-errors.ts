// kumactl's error context for the setup steps: detection and rendering fail
// as "failed to initialize config: …", applying as "failed to setup
// transparent proxy: …", uninstall as "transparent proxy cleanup failed: …".
// The error keeps its class, so it keeps its exit code.
import { ConfigError } from '../config/index.ts';
import { ApplyError } from '../system/index.ts';
import { RenderError } from '../rules/index.ts';

function prefixed(context: string, error: unknown): unknown {
  if (error instanceof ApplyError) return new ApplyError(error.code, `${context}: ${error.message}`);
  if (error instanceof RenderError) return new RenderError(error.code, `${context}: ${error.message}`);
  if (error instanceof ConfigError) return new ConfigError(`${context}: ${error.message}`, { hint: error.hint });
  return error;
}

export async function inStep<T>(context: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw prefixed(context, error);
  }
}

export const INITIALIZE = 'failed to initialize config';
export const SETUP = 'failed to setup transparent proxy';
export const CLEANUP = 'transparent proxy cleanup failed';
