import { prepareRsaKey } from '../../hostile/spare-rsa-key.js';
import { sharedAdminToken } from '../../runtime/admin-login.js';

/**
 * What `kcbox check` can start before it loads its modules and reads its spec, so Keycloak and the
 * thread pool work while the main thread does (~0.4 s on two quiet cores): the admin login to the
 * server `KCBOX_URL` names (the token every admin call of the check then shares), and the hostile
 * suite's signing key. Only timing changes: a login that fails here is reported, as before, where
 * the check first needs it; a state-file server is left to the check, which first asks whether it
 * answers. `stop()` once the check is over abandons a login it never needed.
 */
export function startEarly(options: { readonly hostile: boolean | string }, env: NodeJS.ProcessEnv = process.env): { stop(): void } {
  if (options.hostile !== false) prepareRsaKey();
  const { KCBOX_URL: url, KCBOX_ADMIN_USER: username, KCBOX_ADMIN_PASSWORD: password } = env;
  const abandon = new AbortController();
  // The same URL and credentials cliServer() takes from the environment.
  if (url && username && password) sharedAdminToken(url.replace(/\/+$/, ''), { username, password }, abandon.signal).catch(() => undefined);
  // A check that ended before it needed the login (a bad spec) must not wait for a server that is slow to answer it.
  return { stop: () => abandon.abort() };
}
