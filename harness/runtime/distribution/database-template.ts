import { existsSync } from 'node:fs';
import { chmod, cp, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import createDebug from 'debug';
import { KcboxError, describeError } from '../../errors.js';
import type { AdminCredentials } from '../admin-login.js';
import { temporarySibling, withCacheLock, writeAtomically } from './cache.js';
import { collectManifest, describeProblems, readManifest, verifyManifest, writeManifest } from './manifest.js';

const debug = createDebug('kcbox:db-template');

/**
 * An initialised H2 database (schema created, master realm and admin in place), kept once per
 * installation. Creating the schema and the master realm is about half of a fresh start; a server
 * that starts from a copy skips both.
 */
export interface DatabaseTemplate {
  /** The template's folder, inside the installation. */
  readonly root: string;
  /** Folder to copy as the server's `data/h2`. */
  readonly h2Folder: string;
  /** The admin the template holds: Keycloak ignores the bootstrap admin once one exists. */
  readonly admin: AdminCredentials;
  /** When its manifest was written: tells this template from one made after it. */
  readonly recordedAt: string;
}

/** What `initialise` gives back: a stopped server's database, and whether that server stopped by itself or was killed. */
export interface InitialisedDatabase {
  readonly h2Folder: string;
  readonly admin: AdminCredentials;
  /** Why the server did not stop cleanly (e.g. killed after the grace period); absent when it did. */
  readonly uncleanStop?: string | undefined;
  readonly discard: () => Promise<void>;
}

export const TEMPLATE_FOLDER = 'kcbox-db-template';
const ADMIN_FILE = 'admin.json';
const MANIFEST_FILE = 'manifest.json';
const H2_FILE = 'keycloakdb.mv.db';

function templatePaths(installHome: string) {
  const root = join(installHome, TEMPLATE_FOLDER);
  return { root, h2: join(root, 'h2'), admin: join(root, ADMIN_FILE), manifest: join(root, MANIFEST_FILE) };
}

const isTemplateFile = (path: string) => path !== MANIFEST_FILE;

/**
 * Why an H2 MVStore file cannot serve as a template, or nothing when its header says it was closed
 * cleanly. H2 writes `clean:1` into the header only on an orderly close; a store whose process was
 * killed (SIGKILL after the stop grace period) lacks it, and its last chunk may be torn.
 */
export async function h2StoreProblem(file: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return h2HeaderProblem(basename(file), buffer.subarray(0, bytesRead));
  } catch (error) {
    return `${basename(file)} cannot be read (${describeError(error)})`;
  } finally {
    await handle?.close();
  }
}

/** {@link h2StoreProblem} for the first bytes of a store already read (e.g. out of a container). */
export function h2HeaderProblem(name: string, start: Buffer): string | undefined {
  const header = start.toString('latin1').split(/[\n\0]/, 1)[0] ?? '';
  if (!header.startsWith('H:2,')) return `${name} has no H2 store header`;
  const fields = new Map(header.split(',').map((field) => field.split(':', 2) as [string, string | undefined]));
  if (fields.get('clean') !== '1') return `${name} was not closed cleanly (its header lacks clean:1)`;
  return undefined;
}

type TemplateState =
  | { readonly state: 'ready'; readonly template: DatabaseTemplate }
  | { readonly state: 'missing' }
  /** Made by a kcbox that wrote no manifest. */
  | { readonly state: 'unrecorded' }
  | { readonly state: 'damaged'; readonly problems: readonly string[] };

async function readAdmin(file: string): Promise<AdminCredentials | undefined> {
  try {
    const admin = JSON.parse(await readFile(file, 'utf8')) as AdminCredentials;
    if (typeof admin.username === 'string' && typeof admin.password === 'string') return admin;
  } catch {
    // Unreadable or torn.
  }
  return undefined;
}

/** The template and whether its files are still what was recorded; every file is hashed (about half a megabyte). */
async function readTemplate(installHome: string): Promise<TemplateState> {
  const paths = templatePaths(installHome);
  if (!existsSync(paths.root)) return { state: 'missing' };
  const manifest = await readManifest(paths.manifest);
  if (manifest === undefined) return { state: 'unrecorded' };
  if (manifest === 'unreadable') return { state: 'damaged', problems: [`${MANIFEST_FILE} is unreadable`] };
  const check = await verifyManifest(paths.root, manifest, 'all');
  if (!check.intact) return { state: 'damaged', problems: check.problems };
  const admin = await readAdmin(paths.admin);
  if (!admin || !manifest.files[`h2/${H2_FILE}`])
    return { state: 'damaged', problems: [`${ADMIN_FILE} or h2/${H2_FILE} is not in the manifest`] };
  return { state: 'ready', template: { root: paths.root, h2Folder: paths.h2, admin, recordedAt: manifest.createdAt } };
}

/** Adopts a template an older kcbox made when its database says it was closed cleanly; returns the problems otherwise. */
async function adoptTemplate(installHome: string): Promise<readonly string[] | undefined> {
  const paths = templatePaths(installHome);
  const problems: string[] = [];
  if (!(await readAdmin(paths.admin))) problems.push(`${ADMIN_FILE} is missing or unreadable`);
  const h2Problem = await h2StoreProblem(join(paths.h2, H2_FILE));
  if (h2Problem) problems.push(h2Problem);
  if (problems.length > 0) return problems;
  await writeManifest(paths.manifest, await collectManifest(paths.root, isTemplateFile, 'adopted'));
  return undefined;
}

async function removeTemplate(root: string): Promise<void> {
  const doomed = temporarySibling(root);
  await rename(root, doomed).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rm(doomed, { recursive: true, force: true });
}

const lockName = (installHome: string) => `${basename(installHome) || 'install'}-db-template`;

/**
 * The installation's database template, made on first use by `initialise`: a server started on an
 * empty database and stopped cleanly, whose `data/h2` folder (given back by `initialise`) becomes
 * the template. Cross-process safe: one process makes it, the others wait and reuse it. A template
 * whose files no longer match their manifest is made again; a database that was not closed
 * cleanly is never taken (one more try, then an error).
 */
export async function ensureDatabaseTemplate(
  installHome: string,
  locks: string,
  initialise: () => Promise<InitialisedDatabase>,
  onDamage: (message: string) => void = () => {},
): Promise<DatabaseTemplate> {
  const existing = await readTemplate(installHome);
  if (existing.state === 'ready') return existing.template;
  return withCacheLock(locks, lockName(installHome), async () => {
    const found = await readTemplate(installHome);
    if (found.state === 'ready') return found.template;
    const paths = templatePaths(installHome);
    const problems =
      found.state === 'damaged' ? found.problems : found.state === 'unrecorded' ? await adoptTemplate(installHome) : undefined;
    if (found.state === 'unrecorded' && !problems) return ready(await readTemplate(installHome), paths.root);
    if (problems) {
      debug('template %s is damaged: %s', paths.root, problems.join('; '));
      onDamage(`the database template ${paths.root} is damaged (${describeProblems(problems)}): making it again`);
      await removeTemplate(paths.root);
    }
    let unclean: string | undefined;
    for (let attempt = 1; attempt <= 2; attempt++) {
      const made = await initialise();
      try {
        unclean = made.uncleanStop ?? (await h2StoreProblem(join(made.h2Folder, H2_FILE)));
        if (unclean) {
          debug('not taking the database of attempt %d: %s', attempt, unclean);
          continue;
        }
        await writeAtomically(paths.root, async (temporary) => {
          await cp(made.h2Folder, join(temporary, 'h2'), { recursive: true });
          // The admin password guards every server made from this template: owner-only, like the state file.
          await writeFile(join(temporary, ADMIN_FILE), JSON.stringify(made.admin), { mode: 0o600 });
          // Last: it records what was copied, so the copy is what every later start compares with.
          await writeManifest(join(temporary, MANIFEST_FILE), await collectManifest(temporary, isTemplateFile));
          await chmod(temporary, 0o700);
        });
      } finally {
        await made.discard();
      }
      return ready(await readTemplate(installHome), paths.root);
    }
    throw new KcboxError(
      'ERR_KCBOX_START_FAILED',
      `Keycloak did not stop cleanly, twice, while kcbox initialised the database template ${paths.root} (${unclean}); a database that was not closed cleanly is not kept. Check the server logs, then start again.`,
    );
  });
}

function ready(state: TemplateState, root: string): DatabaseTemplate {
  if (state.state === 'ready') return state.template;
  const why = state.state === 'damaged' ? describeProblems(state.problems) : state.state;
  throw new KcboxError(
    'ERR_KCBOX_DIST_INVALID',
    `The database template ${root} is not usable right after it was written (${why}). Delete ${root} and start again.`,
  );
}

/**
 * Called when a server started from `used` failed with signs of a corrupted database: removes that
 * template (unless another process already replaced it), so the next `ensureDatabaseTemplate` makes it again.
 */
export async function discardDatabaseTemplate(installHome: string, locks: string, used: DatabaseTemplate): Promise<void> {
  await withCacheLock(locks, lockName(installHome), async () => {
    const manifest = await readManifest(templatePaths(installHome).manifest);
    const current = typeof manifest === 'object' ? manifest.createdAt : undefined;
    if (current !== undefined && current !== used.recordedAt) return;
    debug('removing template %s', used.root);
    await removeTemplate(used.root);
  });
}
