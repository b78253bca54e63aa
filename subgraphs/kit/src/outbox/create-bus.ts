import { ConfigError } from '../config.js';
import { InProcessBus, type EventBus } from './bus.js';

/**
 * The bus HUB_BUS names. `memory` is the embedded default. NATS JetStream is the production
 * design (ARCHITECTURE.md) and lands with the events issue; until then a nats:// setting is
 * refused at start rather than silently using a bus that other processes cannot hear.
 */
export function createBus(setting: string): EventBus {
  if (setting === 'memory') return new InProcessBus();
  throw new ConfigError(
    `HUB_BUS=${setting}: the NATS JetStream bus is not available in this version; use HUB_BUS=memory.`,
  );
}
