import { loadOrCreateEmbeddedKey, mintToken } from '@hub/gateway';
import type { CliConfig } from '../config.js';

const USAGE = 'usage: hub token --admin | hub token --practitioner <id>';

/**
 * Prints a bearer token from the embedded key (the token is the last line printed). Refuses when
 * the hub is configured for an external OIDC issuer: tokens then come from that issuer only.
 */
export async function tokenCommand(args: string[], config: CliConfig): Promise<number> {
  if (config.gateway.OIDC_ISSUER) {
    console.error(
      'The hub is configured for an external OIDC issuer (OIDC_ISSUER); get tokens from it.',
    );
    return 2;
  }
  const key = await loadOrCreateEmbeddedKey(config.hub.HUB_DATA_DIR);
  if (args[0] === '--admin' && args.length === 1) {
    console.log(await mintToken(key, { subject: 'admin', admin: true }));
    return 0;
  }
  if (args[0] === '--practitioner' && args[1] && args.length === 2) {
    console.log(await mintToken(key, { subject: args[1] }));
    return 0;
  }
  console.error(USAGE);
  return 2;
}
