import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { KcboxError, describeError } from '../errors.js';
/** Where a report goes (a ReportTarget, seen structurally to keep this module below write-reports). */
type ReportTarget = { readonly format: string; readonly path: string };

/**
 * Creates a folder and its missing parents one level at a time. Node's recursive mkdir loops
 * forever below /proc (every level answers ENOENT); level by level, the first refusal is final.
 */
export async function makeFolders(folder: string): Promise<void> {
  const missing: string[] = [];
  let current = resolve(folder);
  for (;;) {
    // stat, not lstat: a folder reached through a symlink (/tmp on macOS) is a folder.
    const stats = await stat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (stats) {
      if (!stats.isDirectory()) throw new Error(`${current} is a file, not a folder`);
      break;
    }
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const path of missing) {
    await mkdir(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}

/**
 * Makes sure every report can be written before a check starts: its folder exists or can be made,
 * and a file can be created in it. A check that would finish only to lose its reports fails first.
 *
 * @throws KcboxError `ERR_KCBOX_REPORT_WRITE` naming every report that could not be written.
 */
export async function preflightReportTargets(targets: readonly ReportTarget[]): Promise<void> {
  const failures: string[] = [];
  for (const target of targets) {
    const path = resolve(target.path);
    try {
      const existing = await stat(path).catch(() => undefined);
      if (existing?.isDirectory()) throw new Error('it is a folder');
      await makeFolders(dirname(path));
      const probe = `${path}.kcbox-probe-${randomBytes(4).toString('hex')}`;
      await writeFile(probe, '', { flag: 'wx' });
      await rm(probe, { force: true });
    } catch (error) {
      failures.push(`--report ${target.format}=${target.path}: ${describeError(error)}`);
    }
  }
  if (failures.length > 0) {
    throw new KcboxError(
      'ERR_KCBOX_REPORT_WRITE',
      `Cannot write ${failures.length === 1 ? 'a report' : `${failures.length} reports`}, so the check did not start: ${failures.join('; ')}. Choose a writable path.`,
    );
  }
}
