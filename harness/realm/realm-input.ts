import { resolve } from 'node:path';
import { KcboxError } from '../errors.js';
import { parseJsonText } from '../input/json-text.js';
import { type InputProblem, echo, formatInputProblem, readTextFile } from '../input/text-file.js';
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

/**
 * The largest realm file kcbox reads: 50 MiB. Realm settings, clients, roles and authorization
 * settings come to well under 1 MB; what makes an export big is users written into the realm file,
 * about 1.3 KB each in Keycloak's pretty-printed format (one hashed password, a few attributes and
 * role mappings), so 50 MiB holds some 38,000 users. Keycloak's own export writes users to separate
 * files by default (`--users different_files`). Loading a 50 MiB realm peaks at about 330 MB of
 * memory (measured with Node 20), which a test machine can spare.
 */
export const REALM_FILE_MAX_BYTES = 50 * 1024 * 1024;

function realmFileError(problem: InputProblem): KcboxError {
  return new KcboxError('ERR_KCBOX_REALM_FILE', `${formatInputProblem(problem)}.`, { cause: problem.cause });
}

/** Reads a realm file: at most {@link REALM_FILE_MAX_BYTES}, UTF-8 text, errors naming the file. */
async function readRealmText(file: string, shown: string = file): Promise<string> {
  return readTextFile(file, {
    maxBytes: REALM_FILE_MAX_BYTES,
    what: 'realm file',
    format: 'JSON',
    fail: (problem) => realmFileError({ ...problem, file: shown }),
  });
}

/** Parses a realm file's text; malformed JSON is reported as `FILE:LINE:COLUMN: malformed JSON: …`. */
export function parseRealmJson(text: string, file: string): RealmRepresentation {
  return checkRealmObject(parseJsonText(text, file, realmFileError), file);
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
    const representation = prepare(checkRealmObject(input, 'realm object'), `realm object ${echo(input.realm)}`, env);
    return { name: representation.realm, file: undefined, representation };
  }
  const file = resolve(input);
  const text = await readRealmText(file, input);
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
        `${where}: realm ${echo(realm.name)} is also defined by ${earlier}; realm names must be unique.`,
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
