// Log lines are bounded whatever the request holds: every field written is
// capped (strings, lists, nested objects), errors keep their stack and their
// causes' stacks but capped too. Applied once, in the logger's options, so no
// call site has to remember it (issue 9, defect 7: one line was 12 MB).
import type { FastifyLoggerOptions } from 'fastify';
import { maxLogFieldChars, maxLogListItems, maxLogStackChars } from '../limits/index.ts';

const maxDepth = 4;
const maxKeys = 32;
const maxCauses = 4;

/** The text, cut at `max` characters with a note of how much was left out. */
export function capText(text: string, max = maxLogFieldChars): string {
  return text.length <= max ? text : `${text.slice(0, max)}…[${text.length - max} more characters]`;
}

/** A value as it may be logged: strings, lists and objects cut to their caps. */
export function capLogValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return capText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return errorFields(value);
  if (depth >= maxDepth) return '[nested too deep to log]';
  if (Array.isArray(value)) {
    const kept = value.slice(0, maxLogListItems).map((item) => capLogValue(item, depth + 1));
    if (value.length > maxLogListItems) kept.push(`…[${value.length - maxLogListItems} more items]`);
    return kept;
  }
  const capped: Record<string, unknown> = {};
  let count = 0;
  for (const key of Object.keys(value)) {
    if (count++ === maxKeys) {
      capped['…'] = `[${Object.keys(value).length - maxKeys} more fields]`;
      break;
    }
    capped[capText(key, 64)] = capLogValue((value as Record<string, unknown>)[key], depth + 1);
  }
  return capped;
}

/** An error as a log field: type, code, message and the stack with its causes' stacks, capped. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: capText(String(error)) };
  let stack = stackOf(error);
  let cause = error.cause;
  for (let i = 0; i < maxCauses && cause instanceof Error; i++, cause = cause.cause) stack += `\ncaused by: ${stackOf(cause)}`;
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: capText(error.message),
    ...(typeof code === 'string' ? { code: capText(code, 64) } : {}),
    stack: capText(stack, maxLogStackChars),
  };
}

/** The error's stack with its message capped, so a long message does not push the frames out. */
function stackOf(error: Error): string {
  const stack = error.stack ?? '';
  const frames = stack.indexOf('\n    at ');
  return `${error.name}: ${capText(error.message)}${frames === -1 ? '' : stack.slice(frames)}`;
}

type LoggerOptions = FastifyLoggerOptions & { stream?: NodeJS.WritableStream };

/** The logger options with the caps added: every field, the err and req serializers, and messages. */
export function cappedLoggerOptions(options: LoggerOptions): LoggerOptions {
  const formatters = (options as { formatters?: Record<string, unknown> }).formatters;
  return {
    ...options,
    formatters: { ...formatters, log: (object: Record<string, unknown>) => capLogValue(object, -1) as Record<string, unknown> },
    serializers: {
      ...options.serializers,
      // The log formatter above has already turned a logged Error into its capped fields.
      err: (error: unknown) => (error instanceof Error ? errorFields(error) : error),
      req: (request: { method?: string; url?: string; ip?: string }) => ({ method: capText(String(request.method), 16), url: capText(String(request.url)), remoteAddress: request.ip }),
    },
    hooks: {
      logMethod(args: unknown[], method: (...args: unknown[]) => void) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? capText(arg) : arg)));
      },
    },
  } as LoggerOptions;
}
