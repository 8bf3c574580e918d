import pc from 'picocolors';
import { KcboxError } from '../../errors.js';
import { type AuthzDrift, type RealmDrift, authzDrift, realmDrift } from '../../drift/drift.js';
import type { DiffEntry } from '../../drift/diff.js';
import type { CliOutput } from '../output.js';
import { chooseRealm, cliServer } from '../server-connection.js';

export interface DriftOptions {
  readonly config?: string;
  readonly realmFile?: string;
  readonly realm?: string;
  readonly client: string;
  readonly user: string[];
  readonly json: boolean;
}

const show = (value: unknown) => JSON.stringify(value);

function describeEntry(entry: DiffEntry): string {
  switch (entry.kind) {
    case 'added':
      return `${pc.green('+ added  ')} ${entry.path}: ${show(entry.actual)} ${pc.dim('(live only)')}`;
    case 'removed':
      return `${pc.red('- removed')} ${entry.path}: ${show(entry.expected)} ${pc.dim('(file only)')}`;
    case 'changed':
      return `${pc.yellow('~ changed')} ${entry.path}: file ${show(entry.expected)} → live ${show(entry.actual)}`;
  }
}

function printHuman(output: CliOutput, result: AuthzDrift | RealmDrift, what: string): void {
  if (!result.hasDrift) {
    output.out(`${pc.green('✔')} No drift: ${what} matches realm "${result.realm}".`);
    return;
  }
  output.out(`${pc.red('✘')} Drift between ${what} and realm "${result.realm}":`);
  if (result.structural.length > 0) {
    output.out(pc.bold('\nStructure'));
    for (const entry of result.structural) output.out(`  ${describeEntry(entry)}`);
  }
  if (result.semantic.length > 0) {
    output.out(pc.bold('\nDecisions (file → live)'));
    for (const change of result.semantic) {
      output.out(
        `  ${change.live ? pc.green('gained') : pc.red('lost  ')} ${change.username} ${change.permission} ${pc.dim(`(file ${change.file ? 'grants' : 'denies'}, Keycloak ${change.live ? 'grants' : 'denies'})`)}`,
      );
    }
  }
  if (result.unsupported.length > 0) {
    output.out(pc.bold('\nNot evaluated locally (decisions of these policies were not compared)'));
    for (const item of result.unsupported) output.out(`  ${item}`);
  }
}

/** Exit 0 no drift, 1 drift, 2 bad input or unreachable server. */
export async function drift(options: DriftOptions, output: CliOutput): Promise<number> {
  if (Boolean(options.config) === Boolean(options.realmFile)) {
    throw new KcboxError(
      'ERR_KCBOX_USAGE',
      'kcbox drift needs exactly one of --config FILE (exported authorization settings) or --realm-file FILE (a whole realm).',
    );
  }
  const server = await cliServer();
  const driftServer = server.connection();
  const users = options.user.length > 0 ? options.user : undefined;
  let result: AuthzDrift | RealmDrift;
  let what: string;
  if (options.config) {
    result = await authzDrift({
      server: driftServer,
      realm: chooseRealm(server, options.realm),
      clientId: options.client,
      config: options.config,
      ...(users ? { users } : {}),
    });
    what = `${options.config} (client "${options.client}")`;
  } else {
    const realmFile = options.realmFile ?? '';
    result = await realmDrift({
      server: driftServer,
      realmFile,
      ...(options.realm ? { realm: options.realm } : {}),
      ...(users ? { users } : {}),
    });
    what = realmFile;
  }
  if (options.json) output.out(JSON.stringify(result, null, 2));
  else printHuman(output, result, what);
  return result.hasDrift ? 1 : 0;
}
