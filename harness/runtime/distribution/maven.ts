import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { KcboxError } from '../../errors.js';

const execFileAsync = promisify(execFile);

export const DIST_GROUP_ID = 'org.keycloak';
export const DIST_ARTIFACT_ID = 'keycloak-quarkus-dist';

export function distributionCoordinates(version: string): string {
  return `${DIST_GROUP_ID}:${DIST_ARTIFACT_ID}:${version}:zip`;
}

export function findMaven(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const names = process.platform === 'win32' ? ['mvn.cmd', 'mvn.bat'] : ['mvn'];
  const folders = [...(env.MAVEN_HOME ? [join(env.MAVEN_HOME, 'bin')] : []), ...(env.PATH ?? '').split(delimiter)];
  for (const folder of folders) {
    for (const name of names) {
      const candidate = join(folder, name);
      if (folder && existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * Copies the distribution zip with the user's own Maven, so their settings.xml, mirrors and
 * proxies apply, into a fresh folder next to `workFolder`. Returns the zip's path.
 */
export async function copyWithMaven(mvn: string, version: string, workFolder: string): Promise<string> {
  // Named like every kcbox temporary, so one abandoned by a killed process is cleaned up later.
  const outputDirectory = await mkdtemp(join(workFolder, `mvn.tmp-${process.pid}-`));
  try {
    await execFileAsync(
      mvn,
      ['-B', '-q', 'dependency:copy', `-Dartifact=${distributionCoordinates(version)}`, `-DoutputDirectory=${outputDirectory}`],
      { timeout: 15 * 60_000, maxBuffer: 16 * 1024 * 1024, cwd: outputDirectory },
    );
  } catch (error) {
    await rm(outputDirectory, { recursive: true, force: true });
    const output = error && typeof error === 'object' && 'stdout' in error ? String(error.stdout) : '';
    const reason =
      output
        .split('\n')
        .find((line) => line.includes('[ERROR]'))
        ?.replace(/\u001b\[[0-9;]*m/g, '')
        .replace('[ERROR]', '')
        .trim() ?? String(error);
    throw new KcboxError('ERR_KCBOX_DIST_UNAVAILABLE', `mvn dependency:copy ${distributionCoordinates(version)}: ${reason}`, {
      cause: error,
    });
  }
  const zip = (await readdir(outputDirectory)).find((name) => name.endsWith('.zip'));
  if (!zip) {
    throw new KcboxError('ERR_KCBOX_DIST_UNAVAILABLE', `mvn dependency:copy left no zip in ${outputDirectory}.`);
  }
  return join(outputDirectory, zip);
}
