import { type StartedBackend, startBackend } from '../matrix/backend-process.js';
import type { PhaseContext, RealmKey, RealmPhase } from '../matrix/phases.js';
import { backendCaEnv } from '../tls/backend-trust.js';

/**
 * realm → backend: starts the spec's backend command with the realm's coordinates, unless the
 * caller named a running backend or the spec has no command. Registered with `onStarted` as soon
 * as it runs, so it is stopped whatever fails next.
 */
export async function startSpecBackend(
  realm: RealmPhase,
  realmKey: RealmKey,
  options: { readonly backendUrl: string | undefined; readonly env: NodeJS.ProcessEnv | undefined },
  context: PhaseContext,
  onStarted: (cleanup: () => Promise<void>) => void,
): Promise<StartedBackend | undefined> {
  const { spec } = realm;
  const command = spec.backend.command;
  if (options.backendUrl || !command) return undefined;
  context.step(`starting the backend: ${command}`);
  const resourceServer = await realm.live.oauthClient(spec.keycloak.client);
  const backend = await startBackend(
    { ...spec.backend, command },
    {
      KEYCLOAK_URL: realm.server.url,
      KEYCLOAK_REALM: realm.name,
      KEYCLOAK_ISSUER: realm.issuer,
      KEYCLOAK_CLIENT_ID: spec.keycloak.client,
      KEYCLOAK_CLIENT_SECRET: resourceServer.clientSecret ?? '',
      KEYCLOAK_PUBLIC_KEY: realmKey.pem,
      ...(realm.server.caFile ? await backendCaEnv(realm.server.caFile) : {}),
    },
    options.env,
  );
  onStarted(() => backend.stop());
  return backend;
}
