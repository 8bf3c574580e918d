import { createForeignKey } from './foreign-key.js';
import type { ListenerDocuments } from './types.js';

/** Path of the JWKS the listener serves; forged `jku` headers point at `${listenerUrl}${JKU_PATH}`. */
export const JKU_PATH = '/jku/jwks.json';

/** Path of the PEM certificate the listener serves; forged `x5u` headers point at `${listenerUrl}${X5U_PATH}`. */
export const X5U_PATH = '/x5u/cert.pem';

/** `${listenerUrl}${path}` without a doubled slash. */
export function listenerAddress(listenerUrl: string, path: typeof JKU_PATH | typeof X5U_PATH): string {
  return `${listenerUrl.replace(/\/+$/, '')}${path}`;
}

/**
 * Generates a fresh foreign key and the two documents kcbox's loopback listener serves for it:
 * the JWKS at {@link JKU_PATH} and the certificate at {@link X5U_PATH}. Any request the listener
 * receives during the suite is a finding (the backend fetched a key the token pointed it at).
 * Pass `foreignKey` on to `forgeAttempts` so the jku and x5u forgeries are signed by the key
 * these documents describe.
 *
 * @param now - Clock, epoch milliseconds, for the certificate's validity. Default `Date.now`.
 * @example
 * ```ts
 * const documents = await listenerDocuments();
 * // serve JSON.stringify(documents.jwks) at JKU_PATH, documents.certificatePem at X5U_PATH
 * const attempts = await forgeAttempts({ ...material, listenerUrl, foreignKey: documents.foreignKey });
 * ```
 */
export async function listenerDocuments(now: () => number = Date.now): Promise<ListenerDocuments> {
  const foreignKey = await createForeignKey(now);
  return { foreignKey, jwks: { keys: [foreignKey.publicJwk] }, certificatePem: foreignKey.certificatePem };
}
