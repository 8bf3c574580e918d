import { existsSync } from 'node:fs';
import { chmod, cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AdminCredentials } from '../admin-login.js';
import { withCacheLock, writeAtomically } from './cache.js';

/**
 * An initialised H2 database (schema created, master realm and admin in place), kept once per
 * installation. Creating the schema and the master realm is about half of a fresh start; a server
 * that starts from a copy skips both.
 */
export interface DatabaseTemplate {
  /** Folder to copy as the server's `data/h2`. */
  readonly h2Folder: string;
  /** The admin the template holds: Keycloak ignores the bootstrap admin once one exists. */
  readonly admin: AdminCredentials;
}

const TEMPLATE_FOLDER = 'kcbox-db-template';
const ADMIN_FILE = 'admin.json';

function templatePaths(installHome: string) {
  const root = join(installHome, TEMPLATE_FOLDER);
  return { root, h2: join(root, 'h2'), admin: join(root, ADMIN_FILE) };
}

async function readTemplate(installHome: string): Promise<DatabaseTemplate | undefined> {
  const paths = templatePaths(installHome);
  if (!existsSync(join(paths.h2, 'keycloakdb.mv.db')) || !existsSync(paths.admin)) return undefined;
  try {
    const admin = JSON.parse(await readFile(paths.admin, 'utf8')) as AdminCredentials;
    if (typeof admin.username === 'string' && typeof admin.password === 'string') return { h2Folder: paths.h2, admin };
  } catch {
    // Unreadable or torn: treated as missing, so the next start makes it again under the lock.
  }
  return undefined;
}

/**
 * The installation's database template, made on first use by `initialise`: a server started on an
 * empty database and stopped cleanly, whose `data/h2` folder (given back by `initialise`) becomes
 * the template. Cross-process safe: one process makes it, the others wait and reuse it.
 */
export async function ensureDatabaseTemplate(
  installHome: string,
  locks: string,
  initialise: () => Promise<{ h2Folder: string; admin: AdminCredentials; discard: () => Promise<void> }>,
): Promise<DatabaseTemplate> {
  const existing = await readTemplate(installHome);
  if (existing) return existing;
  return withCacheLock(locks, `${installHome.split('/').pop() ?? 'install'}-db-template`, async () => {
    const ready = await readTemplate(installHome);
    if (ready) return ready;
    const made = await initialise();
    try {
      await writeAtomically(templatePaths(installHome).root, async (temporary) => {
        await cp(made.h2Folder, join(temporary, 'h2'), { recursive: true });
        // The admin password guards every server made from this template: owner-only, like the state file.
        await writeFile(join(temporary, ADMIN_FILE), JSON.stringify(made.admin), { mode: 0o600 });
        await chmod(temporary, 0o700);
      });
    } finally {
      await made.discard();
    }
    return (await readTemplate(installHome)) as DatabaseTemplate;
  });
}
