// How state events read in the logs. The logger is pino-shaped (Fastify's
// `app.log` fits); without one, JSON lines go to stderr.
import type { StateEvent } from './state-events.ts';

export interface StateLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

const line = (level: string) => (fields: object, message: string): void => {
  process.stderr.write(`${JSON.stringify({ level, time: Date.now(), msg: message, ...fields })}\n`);
};

export const stderrLogger: StateLogger = { info: line('info'), warn: line('warn') };

export function logStateEvent(logger: StateLogger, event: StateEvent): void {
  switch (event.type) {
    case 'api-request':
      return;
    case 'synced':
      logger.info(event, `cluster state: ${event.resource} synced (${event.objects} objects)`);
      return;
    case 'ready':
      logger.info(event, 'cluster state: every watch cache has synced, ready');
      return;
    case 'relisted':
      logger.info(event, `cluster state: ${event.resource} relisted (${event.reason}, ${event.objects} objects)`);
      return;
    case 'watch-error':
      logger.warn(
        event,
        `cluster state: ${event.resource}: ${event.message}; retrying in ${event.retryInMs} ms` +
          (event.missing ? ' (not ready until it is served)' : ''),
      );
      return;
  }
}
