import { realmPublicKeyPem } from '../../realm/realm-key.js';
import type { CliOutput } from '../output.js';
import { chooseRealm, cliServer } from '../server-connection.js';

export async function key(options: { realm?: string }, output: CliOutput): Promise<number> {
  const server = await cliServer();
  output.out((await realmPublicKeyPem(server.url, chooseRealm(server, options.realm))).trimEnd());
  return 0;
}
