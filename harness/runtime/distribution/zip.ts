import { promisify } from 'node:util';
import extractZip from 'extract-zip';
import yauzl from 'yauzl';
import { KcboxError, describeError } from '../../errors.js';

const openZip = promisify<string, yauzl.Options, yauzl.ZipFile>(yauzl.open);

/**
 * Reads the zip's central directory and checks that it holds a Keycloak distribution. A partial
 * download or a corrupted file fails here in milliseconds instead of mid-unpack.
 * Returns the number of entries (for progress) or throws ERR_KCBOX_DIST_INVALID.
 */
export async function inspectDistributionZip(path: string, version: string): Promise<number> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(path, { lazyEntries: true, autoClose: false });
  } catch (error) {
    throw new KcboxError('ERR_KCBOX_DIST_INVALID', `${path} is not a readable zip: ${describeError(error)}.`, {
      cause: error,
    });
  }
  try {
    const launcher = `keycloak-${version}/bin/kc.sh`;
    const hasLauncher = await new Promise<boolean>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => (entry.fileName === launcher ? resolve(true) : zip.readEntry()));
      zip.on('end', () => resolve(false));
      zip.on('error', reject);
      zip.readEntry();
    });
    if (!hasLauncher) {
      throw new KcboxError('ERR_KCBOX_DIST_INVALID', `${path} is not the Keycloak ${version} server distribution: it has no ${launcher}.`);
    }
    return zip.entryCount;
  } catch (error) {
    if (error instanceof KcboxError) throw error;
    throw new KcboxError('ERR_KCBOX_DIST_INVALID', `${path} is a damaged zip: ${describeError(error)}.`, {
      cause: error,
    });
  } finally {
    zip.close();
  }
}

/** Unpacks the whole zip into `target` (absolute), reporting entries done. */
export async function unpackZip(path: string, target: string, onEntry: (doneEntries: number, totalEntries: number) => void): Promise<void> {
  let done = 0;
  try {
    await extractZip(path, {
      dir: target,
      onEntry: (_entry, zipfile) => onEntry(++done, zipfile.entryCount),
    });
  } catch (error) {
    throw new KcboxError('ERR_KCBOX_DIST_INVALID', `Unpacking ${path} failed: ${describeError(error)}.`, {
      cause: error,
    });
  }
}
