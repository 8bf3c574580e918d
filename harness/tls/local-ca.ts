import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import createDebug from 'debug';
import { cacheRoot, withCacheLock, writeAtomically } from '../cache/cache-folder.js';
import {
  type CertificateAndKey,
  LOOPBACK_NAMES,
  certificateProblem,
  createCertificateAuthority,
  createServerCertificate,
} from './certificates.js';

const debug = createDebug('kcbox:tls');
const DAY_MS = 86_400_000;

/** Files of kcbox's local certificate authority and the loopback server certificate it signed. */
export interface LocalTls {
  /** The CA certificate (PEM): what clients trust. */
  readonly caFile: string;
  /** The CA's private key (PEM); it never leaves the cache folder. */
  readonly caKeyFile: string;
  /** The server certificate (PEM) for localhost, 127.0.0.1 and ::1. */
  readonly certificateFile: string;
  /** The server certificate's private key (PKCS #8 PEM). */
  readonly keyFile: string;
}

export interface LocalTlsOptions {
  /** The cache folder. Default env `KCBOX_CACHE`, else the user's cache folder. */
  readonly cacheDir?: string;
  /** Clock, epoch milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

/** Where the files live: `<cache>/tls/`. */
export function localTlsFiles(cacheDir?: string): LocalTls {
  const folder = join(cacheRoot(cacheDir), 'tls');
  return {
    caFile: join(folder, 'ca.pem'),
    caKeyFile: join(folder, 'ca-key.pem'),
    certificateFile: join(folder, 'server.pem'),
    keyFile: join(folder, 'server-key.pem'),
  };
}

async function readPair(certificateFile: string, keyFile: string): Promise<CertificateAndKey | undefined> {
  const [certificatePem, keyPem] = await Promise.all([readFile(certificateFile, 'utf8'), readFile(keyFile, 'utf8')]).catch(() => []);
  return certificatePem !== undefined && keyPem !== undefined ? { certificatePem, keyPem } : undefined;
}

/** Why a certificate and key cannot serve for another day, or undefined when they can. */
function pairProblem(pair: CertificateAndKey | undefined, now: number, issuer?: CertificateAndKey): string | undefined {
  if (!pair) return 'missing';
  const expired = certificateProblem(pair.certificatePem, new Date(now), DAY_MS);
  if (expired) return expired;
  try {
    const certificate = new X509Certificate(pair.certificatePem);
    if (!certificate.checkPrivateKey(createPrivateKey(pair.keyPem))) return 'the key does not match the certificate';
    if (issuer && !certificate.verify(new X509Certificate(issuer.certificatePem).publicKey)) return 'not signed by the CA';
    if (issuer && !LOOPBACK_NAMES.ip.every((ip) => certificate.checkIP(ip))) return 'does not name every loopback address';
  } catch (error) {
    return `unreadable (${(error as Error).message})`;
  }
  return undefined;
}

async function usable(
  files: LocalTls,
  now: number,
): Promise<{ ca: CertificateAndKey | undefined; problem: string | undefined; server: boolean }> {
  const ca = await readPair(files.caFile, files.caKeyFile);
  const caProblem = pairProblem(ca, now);
  if (caProblem) return { ca: undefined, problem: `CA ${caProblem}`, server: false };
  const serverProblem = pairProblem(await readPair(files.certificateFile, files.keyFile), now, ca);
  return { ca, problem: serverProblem && `server certificate ${serverProblem}`, server: !serverProblem };
}

/**
 * kcbox's local CA and a server certificate for localhost, 127.0.0.1 and ::1, made once in the
 * cache folder and reused. Whatever is missing, unreadable, mismatched or within a day of expiry is
 * made again (a still-good CA is kept, so what already trusts it keeps working). Concurrent first
 * uses wait on one lock instead of racing.
 *
 * @example
 * ```ts
 * const { caFile } = await ensureLocalTls();
 * ```
 */
export async function ensureLocalTls(options: LocalTlsOptions = {}): Promise<LocalTls> {
  const now = options.now ?? Date.now;
  const files = localTlsFiles(options.cacheDir);
  if (!(await usable(files, now())).problem) return files;
  const folder = join(files.caFile, '..');
  await mkdir(folder, { recursive: true });
  await withCacheLock(folder, 'tls', async () => {
    const seen = await usable(files, now());
    if (!seen.problem) return;
    debug('making TLS files in %s: %s', folder, seen.problem);
    const notBefore = new Date(now() - 3_600_000);
    const ca = seen.ca ?? (await createCertificateAuthority({ notBefore }));
    const server = await createServerCertificate(ca, LOOPBACK_NAMES, { notBefore });
    // Certificates are public (a container's Keycloak user reads them too); keys stay the owner's.
    const write = async (target: string, text: string) =>
      writeAtomically(target, (temporary) => writeFile(temporary, text, { mode: text.includes('PRIVATE KEY') ? 0o600 : 0o644 }));
    // Keys first: a reader outside the lock never sees a certificate next to a stale key for long,
    // and one that does finds the mismatch and waits for the lock.
    if (!seen.ca) await Promise.all([write(files.caKeyFile, ca.keyPem), write(files.caFile, ca.certificatePem)]);
    await Promise.all([write(files.keyFile, server.keyPem), write(files.certificateFile, server.certificatePem)]);
  });
  return files;
}
