import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fetch } from 'undici';
import { KcboxError, describeError } from '../../errors.js';
import type { ProgressListener } from '../progress.js';

/** Keycloak's official release asset for a version. */
export function releaseDownloadUrl(version: string): string {
  return `https://github.com/keycloak/keycloak/releases/download/${version}/keycloak-${version}.zip`;
}

/** Streams `url` into `target`, reporting bytes; the caller renames it into place when valid. */
export async function downloadFile(url: string, target: string, onProgress: ProgressListener): Promise<void> {
  try {
    const response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(30 * 60_000) });
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}`);
    }
    const length = Number(response.headers.get('content-length'));
    const totalBytes = Number.isFinite(length) && length > 0 ? length : undefined;
    let receivedBytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        receivedBytes += chunk.length;
        onProgress({ phase: 'download', source: url, receivedBytes, ...(totalBytes ? { totalBytes } : {}) });
        callback(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(response.body), counter, createWriteStream(target));
  } catch (error) {
    throw new KcboxError('ERR_KCBOX_DIST_UNAVAILABLE', `download ${url}: ${describeError(error)}`, { cause: error });
  }
}
