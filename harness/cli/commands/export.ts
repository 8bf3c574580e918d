import { writeFile } from 'node:fs/promises';
import { exportAuthorizationSettings } from '../../realm/live-settings.js';
import { connectAdmin } from '../../runtime/admin-client.js';
import type { CliOutput } from '../output.js';
import { chooseRealm, cliServer } from '../server-connection.js';

export interface ExportOptions {
  readonly realm?: string;
  readonly client: string;
  readonly out?: string;
}

/** Writes the live authorization settings as the admin console's Export does (names, no ids). */
export async function exportSettings(options: ExportOptions, output: CliOutput): Promise<number> {
  const server = await cliServer();
  const realm = chooseRealm(server, options.realm);
  const admin = await connectAdmin(server.url, server.connection().adminCredentials);
  const text = `${JSON.stringify(await exportAuthorizationSettings(admin, realm, options.client), null, 2)}\n`;
  if (options.out) {
    await writeFile(options.out, text);
    output.err(`Wrote the authorization settings of "${options.client}" in realm "${realm}" to ${options.out}.`);
  } else {
    output.out(text.trimEnd());
  }
  return 0;
}
