import { educationPlugin } from '@hub/plugin-education';
import { healthPlugin } from '@hub/plugin-health';
import { policePlugin } from '@hub/plugin-police';
import type { AgencyPlugin } from '@hub/plugin-sdk';

/**
 * The plugins `POST /ingest/{plugin}` serves: the reference plugins with their defaults. A hub
 * that needs another plugin, or other options, passes its own list to `startGateway`.
 */
export function ingestPlugins(): AgencyPlugin[] {
  return [healthPlugin(), educationPlugin(), policePlugin()] as AgencyPlugin[];
}
