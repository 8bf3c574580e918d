import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { KcboxError, describeError } from '../errors.js';
import { substitutePlaceholders } from './placeholders.js';
import { assertValidRealm } from './realm-validate.js';

/** A realm as Keycloak's RealmRepresentation: only `realm` is required here. */
export interface RealmRepresentation {
  realm: string;
  [key: string]: unknown;
}

/** A realm file path, or a realm object. */
export type RealmInput = string | RealmRepresentation;

export interface LoadedRealm {
  readonly name: string;
  /** The file it came from, for messages; undefined for objects. */
  readonly file: string | undefined;
  readonly representation: RealmRepresentation;
}

/** " at line L, column C" for a JSON.parse error, empty when the parser gave no position. */
export function lineAndColumn(text: string, error: unknown): string {
  const position = /position (\d+)/.exec(describeError(error))?.[1];
  if (position === undefined) return '';
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = Number(position) - before.lastIndexOf('\n');
  return ` at line ${line}, column ${column}`;
}

export function parseRealmJson(text: string, file: string): RealmRepresentation {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new KcboxError(
      'ERR_KCBOX_REALM_FILE',
      `${file}: malformed JSON${lineAndColumn(text, error)}: ${describeError(error)}. Fix the file; a realm file is one JSON object.`,
      { cause: error },
    );
  }
  return checkRealmObject(parsed, file);
}

function checkRealmObject(value: unknown, source: string): RealmRepresentation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KcboxError('ERR_KCBOX_REALM_FILE', `${source}: expected a JSON object (a RealmRepresentation).`);
  }
  const realm = (value as { realm?: unknown }).realm;
  if (typeof realm !== 'string' || realm.trim() === '') {
    throw new KcboxError('ERR_KCBOX_REALM_FILE', `${source}: field "realm" must be a non-empty string naming the realm.`);
  }
  return value as RealmRepresentation;
}

export interface LoadRealmOptions {
  /** Values for `${VAR}` placeholders. Default: process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Placeholders resolved and references checked: what is sent to Keycloak. */
function prepare(parsed: RealmRepresentation, source: string, env: NodeJS.ProcessEnv): RealmRepresentation {
  const representation = checkRealmObject(substitutePlaceholders(parsed, env, source), source);
  assertValidRealm(representation, source);
  return representation;
}

/**
 * Loads a realm from a file or an object: JSON parsed (errors with line and column), `${VAR}` and
 * `${VAR:default}` placeholders replaced, and references checked (roles, clients, scopes, resources,
 * policies, credentials), each problem named by file and JSON path.
 */
export async function loadRealm(input: RealmInput, options: LoadRealmOptions = {}): Promise<LoadedRealm> {
  const env = options.env ?? process.env;
  if (typeof input !== 'string') {
    const representation = prepare(checkRealmObject(input, 'realm object'), `realm object "${String(input.realm)}"`, env);
    return { name: representation.realm, file: undefined, representation };
  }
  const file = resolve(input);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new KcboxError('ERR_KCBOX_REALM_FILE', `${input}: cannot read the realm file (${describeError(error)}).`, {
      cause: error,
    });
  }
  const representation = prepare(parseRealmJson(text, input), input, env);
  return { name: representation.realm, file, representation };
}

export async function loadRealms(inputs: readonly RealmInput[], options: LoadRealmOptions = {}): Promise<LoadedRealm[]> {
  const realms = await Promise.all(inputs.map((input) => loadRealm(input, options)));
  const seen = new Map<string, string>();
  for (const realm of realms) {
    const where = realm.file ?? 'realm object';
    const earlier = seen.get(realm.name);
    if (earlier) {
      throw new KcboxError(
        'ERR_KCBOX_REALM_FILE',
        `${where}: realm "${realm.name}" is also defined by ${earlier}; realm names must be unique.`,
      );
    }
    seen.set(realm.name, where);
  }
  return realms;
}

/** Realm name → source file, for the realms that came from files. */
export function realmFilesOf(realms: readonly LoadedRealm[]): Record<string, string> {
  return Object.fromEntries(realms.filter((realm) => realm.file !== undefined).map((realm) => [realm.name, realm.file as string]));
}
