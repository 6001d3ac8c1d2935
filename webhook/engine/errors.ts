// The engine's refusal: Kuma's error text with a stable reason code.

/** A refusal with Kuma's error text and a stable reason code. */
export class InjectionError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** Runs `step`, prefixing any error's text as Go's errors.Wrap does; an inner reason code is kept. */
export function wrapError<T>(prefix: string, step: () => T, reason = 'invalid_annotation'): T {
  try {
    return step();
  } catch (error) {
    const inner = error instanceof InjectionError ? error.reason : reason;
    throw new InjectionError(inner, `${prefix}: ${(error as Error).message}`);
  }
}
