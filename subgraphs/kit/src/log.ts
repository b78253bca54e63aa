import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs (pino); each line names the hub component that wrote it. */
export function createLogger(component: string, level: string): Logger {
  return pino({ name: component, level, base: { component } });
}
