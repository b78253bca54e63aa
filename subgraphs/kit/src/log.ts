import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs (pino); each line names the hub component that wrote it. pino repeats a
 * key that a child binds again rather than replacing it, so parts of a component bind keys of
 * their own (`subgraph`, `service`, `correlationId`), never `component`.
 *
 * @param destination where lines go (tests keep them); @default standard output
 */
export function createLogger(
  component: string,
  level: string,
  destination?: DestinationStream,
): Logger {
  const options = { name: component, level, base: { component } };
  return destination ? pino(options, destination) : pino(options);
}
