import { attachKeycloak } from '../../runtime/start-keycloak.js';
import { clearState, readState, stateFilePath } from '../../runtime/state-file.js';
import type { CliOutput } from '../output.js';

export async function down(options: { json: boolean }, output: CliOutput): Promise<number> {
  const stateFile = stateFilePath();
  const record = await readState(stateFile);
  if (!record) {
    if (options.json) output.out(JSON.stringify({ stopped: false, reason: 'nothing recorded' }));
    else output.out('No kcbox server is recorded: nothing to stop.');
    return 0;
  }
  await attachKeycloak(record).stop();
  await clearState(stateFile);
  if (options.json) output.out(JSON.stringify({ stopped: true, url: record.url, runtime: record.runtime }));
  else output.out(`Stopped Keycloak ${record.version} (${record.runtime}) at ${record.url}.`);
  return 0;
}
