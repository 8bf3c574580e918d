import pc from 'picocolors';
import { prepareDistribution } from '../../runtime/distribution/start-distribution.js';
import type { CliOutput } from '../output.js';
import { terminalProgress } from '../progress-renderer.js';

export interface FetchOptions {
  readonly keycloak?: string;
  readonly json: boolean;
}

/** Obtains and builds the distribution so later starts only boot: for CI cache steps and offline work. */
export async function fetch(options: FetchOptions, output: CliOutput): Promise<number> {
  const progress = options.json ? { listener: () => {}, done: () => {} } : terminalProgress();
  const started = Date.now();
  let prepared;
  try {
    prepared = await prepareDistribution({ ...(options.keycloak ? { version: options.keycloak } : {}), onProgress: progress.listener });
  } finally {
    progress.done();
  }
  const seconds = (Date.now() - started) / 1000;
  if (options.json) {
    output.out(
      JSON.stringify({
        version: prepared.version.text,
        java: prepared.java.home,
        javaVersion: prepared.java.version,
        installation: prepared.installHome,
        seconds,
      }),
    );
  } else {
    output.out(
      `${pc.green('✔')} Keycloak ${prepared.version.text} is ready to start (Java ${prepared.java.version}, ${prepared.installHome}) — ${seconds.toFixed(1)} s`,
    );
  }
  return 0;
}
