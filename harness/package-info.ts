import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Manifest {
  readonly folder: string;
  readonly version: string;
}

let found: Manifest | undefined;

/** kcbox's own package.json, found from source and from dist alike. */
function manifest(): Manifest {
  if (found) return found;
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(folder, 'package.json');
    if (existsSync(file)) {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (parsed.name === 'kcbox') return (found = { folder, version: parsed.version ?? 'unknown' });
    }
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`kcbox's package.json was not found above ${fileURLToPath(import.meta.url)}`);
    folder = parent;
  }
}

export function kcboxVersion(): string {
  return manifest().version;
}

/** The folder kcbox is installed in (holds realm/, bin/, dist/). */
export function packageRoot(): string {
  return manifest().folder;
}
