// The agent's log: lines on stderr in the shape of Kuma's zap development
// console encoder (time, level, logger name, message, JSON fields), so
// `kubectl logs` reads as it does for Kuma's install-cni. The kuma-cni plugin
// also writes its lines to this process's stderr (it finds the process by
// its title, /install-cni).
import type { LogLevel } from './config.ts';

export type Fields = Record<string, unknown>;

export interface AgentLog {
  info(message: string, fields?: Fields): void;
  debug(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
}

/** Field values are cut to this many characters: they can come from files and API objects. */
const MAX_FIELD_CHARS = 512;

function bounded(fields: Fields): Fields {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
      return [key, text.length > MAX_FIELD_CHARS ? `${text.slice(0, MAX_FIELD_CHARS)}…` : value];
    }),
  );
}

export function consoleAgentLog(level: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l)): AgentLog {
  const line = (severity: string, message: string, fields?: Fields) => {
    const extra = fields && Object.keys(fields).length ? `\t${JSON.stringify(bounded(fields))}` : '';
    write(`${new Date().toISOString()}\t${severity}\tinstall-cni\t${message}${extra}\n`);
  };
  return {
    info(message, fields) {
      if (level !== 'off') line('INFO', message, fields);
    },
    debug(message, fields) {
      if (level === 'debug') line('DEBUG', message, fields);
    },
    // Errors are written even at `off`: they explain an exit.
    error: (message, fields) => line('ERROR', message, fields),
  };
}
