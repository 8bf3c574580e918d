import pc from 'picocolors';
import { readState, stateFilePath } from '../../runtime/state-file.js';
import { serverAnswers } from '../../runtime/server-status.js';
import type { CliOutput } from '../output.js';

export async function status(options: { json: boolean }, output: CliOutput): Promise<number> {
  const stateFile = stateFilePath();
  const record = await readState(stateFile);
  if (!record) {
    if (options.json) output.out(JSON.stringify({ running: false, stateFile }));
    else output.out(`No kcbox server is recorded (${stateFile}). Start one with \`kcbox up --detach\`.`);
    return 1;
  }
  const running = await serverAnswers(record);
  if (options.json) {
    output.out(
      JSON.stringify({
        running,
        url: record.url,
        managementUrl: record.managementUrl ?? null,
        realms: record.realms,
        runtime: record.runtime,
        version: record.version,
        pid: record.pid ?? null,
        logFile: record.logFile ?? null,
        startedAt: record.startedAt,
        stateFile,
      }),
    );
  } else if (running) {
    output.out(
      `${pc.green('✔')} Keycloak ${record.version} (${record.runtime}) answers at ${record.url}; realms: ${record.realms.join(', ') || 'none'}.`,
    );
  } else {
    output.out(`${pc.red('✘')} The recorded Keycloak at ${record.url} does not answer. \`kcbox down\` clears the record.`);
  }
  return running ? 0 : 1;
}
