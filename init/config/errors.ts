// A configuration or usage problem: the command line, a config source or an
// env var is wrong. The CLI maps it to exit code 1 and prints the message as
// Kuma 2.13.10 words it.

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** A hint printed on its own line after the message; not part of Kuma's text. */
  readonly hint: string | undefined;

  constructor(message: string, options?: { hint?: string }) {
    super(message);
    this.hint = options?.hint;
  }
}

/** Runs `fn`, prefixing a ConfigError's message as Go's `errors.Wrap(err, context)` does. */
export function withContext<T>(context: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`${context}: ${error.message}`, { hint: error.hint });
    throw error;
  }
}
