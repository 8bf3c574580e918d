import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadedRealm } from '../../realm/realm-input.js';

/** Everything of an installation a server only reads; shared between servers through links. */
const SHARED_ENTRIES = ['lib', 'conf', 'providers', 'themes', 'version.txt'];

/**
 * A private home for one server: its own `data/` (database, tmp, import) next to links into the
 * shared, already built installation. `seedH2` is copied in as its database. `bin/` is copied, not linked, because kc.sh derives the
 * home from its own resolved path.
 */
export async function createServerHome(installHome: string, realms: readonly LoadedRealm[], seedH2?: string): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'kcbox-server-'));
  if (seedH2) await cp(seedH2, join(home, 'data', 'h2'), { recursive: true });
  await cp(join(installHome, 'bin'), join(home, 'bin'), { recursive: true });
  for (const entry of SHARED_ENTRIES) {
    if (existsSync(join(installHome, entry))) await symlink(join(installHome, entry), join(home, entry));
  }
  const importFolder = join(home, 'data', 'import');
  await mkdir(importFolder, { recursive: true });
  await Promise.all(
    realms.map((realm) =>
      // The directory import only reads files named <anything>-realm.json.
      writeFile(join(importFolder, `${realm.name}-realm.json`), JSON.stringify(realm.representation)),
    ),
  );
  return home;
}
