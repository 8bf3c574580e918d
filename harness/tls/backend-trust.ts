import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { cacheRoot, writeAtomically } from '../cache/cache-folder.js';

/** How a backend learns to trust the CA behind an https Keycloak, whatever its language. */
export interface BackendCaEnv {
  /** The CA certificate alone (PEM): for backends configured explicitly (e.g. mod_auth_openidc, Spring). */
  readonly KEYCLOAK_CA_FILE: string;
  /** Node.js adds it to its roots. */
  readonly NODE_EXTRA_CA_CERTS: string;
  /** OpenSSL-based clients (Python's ssl, curl, Ruby, Go on Linux): public roots plus the CA, since the variable replaces the system bundle. */
  readonly SSL_CERT_FILE: string;
  /** Python requests: the same bundle. */
  readonly REQUESTS_CA_BUNDLE: string;
}

/**
 * The environment that makes a backend trust `caFile`. The bundle for `SSL_CERT_FILE` and
 * `REQUESTS_CA_BUNDLE` (Node's public roots plus the CA) is written once per CA into kcbox's cache
 * (`<cache>/tls`), not the shared temp folder where another user could take its name first.
 */
export async function backendCaEnv(caFile: string): Promise<BackendCaEnv> {
  const ca = await readFile(caFile, 'utf8');
  const bundleText = `${[...rootCertificates, ca.trim()].join('\n')}\n`;
  const bundle = join(cacheRoot(), 'tls', `ca-bundle-${createHash('sha256').update(bundleText).digest('hex').slice(0, 16)}.pem`);
  const written = await readFile(bundle, 'utf8').catch(() => undefined);
  if (written !== bundleText) await writeAtomically(bundle, (temporary) => writeFile(temporary, bundleText, { mode: 0o644 }));
  return { KEYCLOAK_CA_FILE: caFile, NODE_EXTRA_CA_CERTS: caFile, SSL_CERT_FILE: bundle, REQUESTS_CA_BUNDLE: bundle };
}
