import { ConfigError } from '../config.js';
import type { Logger } from '../log.js';
import { InProcessBus, type EventBus } from './bus.js';
import { JetStreamBus } from './jetstream.bus.js';

/**
 * The bus HUB_BUS names: `memory` (the embedded default, one process) or a nats:// URL (NATS
 * JetStream, shared by processes). Rejects when NATS cannot be reached, so a subgraph does not
 * start deaf to the others' events. `prefix` (HUB_BUS_PREFIX) names the hub's subjects and
 * streams (`hub` → `hub.events.*` in HUB_EVENTS), so two hubs can share one NATS account.
 */
export async function createBus(setting: string, log: Logger, prefix = 'hub'): Promise<EventBus> {
  if (setting === 'memory') return new InProcessBus();
  if (setting.startsWith('nats://')) {
    const upper = prefix.toUpperCase();
    return JetStreamBus.connect(
      {
        url: setting,
        subjectPrefix: prefix,
        stream: `${upper}_EVENTS`,
        parkedStream: `${upper}_PARKED`,
      },
      log,
    );
  }
  throw new ConfigError(`HUB_BUS=${setting}: must be "memory" or a nats:// URL.`);
}
