import { request } from 'undici';
import { keycloakDispatcher, trustCertificateAuthority } from '../../tls/trust.js';
import { KcboxError, describeError } from '../../errors.js';
import { createRealms, deleteRealms } from '../../realm/realm-admin.js';
import { loadRealms, realmFilesOf } from '../../realm/realm-input.js';
import { connectAdmin } from '../admin-client.js';
import { serverHandle } from '../server-handle.js';
import type { KeycloakServer, RemoteServerOptions, ServerRecord, StartKeycloakOptions } from '../types.js';

/**
 * The remote server named by `KCBOX_URL`, `KCBOX_ADMIN_USER`, `KCBOX_ADMIN_PASSWORD` (and the CA behind an
 * https URL, `KCBOX_CA_FILE`); undefined when `KCBOX_URL` is unset.
 */
export function remoteOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): RemoteServerOptions | undefined {
  if (!env.KCBOX_URL) return undefined;
  const missing = ['KCBOX_ADMIN_USER', 'KCBOX_ADMIN_PASSWORD'].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new KcboxError(
      'ERR_KCBOX_NO_ADMIN_CREDENTIALS',
      `KCBOX_URL is set but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not: set the admin user and password of ${env.KCBOX_URL}.`,
    );
  }
  return {
    url: env.KCBOX_URL,
    adminCredentials: { username: env.KCBOX_ADMIN_USER ?? '', password: env.KCBOX_ADMIN_PASSWORD ?? '' },
    ...(env.KCBOX_CA_FILE ? { caFile: env.KCBOX_CA_FILE } : {}),
  };
}

async function serverVersion(baseUrl: string, token: string): Promise<string> {
  const response = await request(`${baseUrl}/admin/serverinfo`, {
    dispatcher: keycloakDispatcher(),
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await response.body.json().catch(() => ({}))) as { systemInfo?: { version?: string } };
  return body.systemInfo?.version ?? 'unknown';
}

/**
 * Uses an already running Keycloak. Realms given here are created over the admin API and deleted
 * again by `stop()`; nothing else on the server is touched, and the server itself keeps running.
 */
export async function connectRemote(options: StartKeycloakOptions): Promise<KeycloakServer> {
  const remote = options.remote ?? remoteOptionsFromEnv();
  if (!remote) {
    throw new KcboxError(
      'ERR_KCBOX_NO_SERVER',
      'The remote runtime needs a server: set KCBOX_URL, KCBOX_ADMIN_USER and KCBOX_ADMIN_PASSWORD.',
    );
  }
  const url = remote.url.replace(/\/+$/, '');
  trustCertificateAuthority(remote.caFile);
  try {
    await request(`${url}/realms/master`, { dispatcher: keycloakDispatcher(), headersTimeout: 10_000 }).then((response) =>
      response.body.dump(),
    );
  } catch (error) {
    throw new KcboxError(
      'ERR_KCBOX_REMOTE_UNREACHABLE',
      `Keycloak at ${url} does not answer (${describeError(error)}). Start it, e.g. \`npx kcbox up --detach\`, or fix KCBOX_URL.`,
      {
        cause: error,
      },
    );
  }
  const realms = await loadRealms(options.realms ?? []);
  const { adminCredentials } = remote;
  const admin = await connectAdmin(url, adminCredentials);
  const createdRealms = await createRealms(admin, realms);
  const record: ServerRecord = {
    runtime: 'remote',
    version: await serverVersion(url, admin.accessToken ?? ''),
    url,
    managementUrl: undefined,
    adminCredentials,
    caFile: remote.caFile,
    realms: realms.map((realm) => realm.name),
    realmFiles: realmFilesOf(realms),
    createdRealms,
    logFile: undefined,
    dataDir: undefined,
    pid: undefined,
    supervisorPid: undefined,
    containerId: undefined,
    startedAt: new Date().toISOString(),
  };
  return serverHandle(record, () => releaseRemote(record));
}

/** What `stop()` does to a remote server: delete the realms kcbox created, nothing more. */
export async function releaseRemote(record: ServerRecord): Promise<void> {
  if (record.createdRealms.length === 0) return;
  const admin = await connectAdmin(record.url, record.adminCredentials);
  await deleteRealms(admin, record.createdRealms);
}
