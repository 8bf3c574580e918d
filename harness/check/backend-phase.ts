import type { BackendEngine } from '../matrix/backend-container.js';
import { type BackendKeycloakEnv, type StartedBackend, startBackend } from '../matrix/backend-process.js';
import type { PhaseContext, RealmKey, RealmPhase } from '../matrix/phases.js';
import { backendCaEnv } from '../tls/backend-trust.js';
import type { MatrixSpec } from '../matrix/types.js';
import type { KeycloakConnection } from '../runtime/connection.js';

/** Keycloak as every party of the check reaches it, and the engine a container backend runs on. */
export interface BackendSide {
  readonly server: KeycloakConnection;
  readonly docker: BackendEngine | undefined;
}

/**
 * Before the realm: a backend that runs from an image reaches Keycloak through the Docker bridge
 * gateway, and so does kcbox for the whole check (realm, tokens, suites), so the tokens' issuer is
 * the one the container sees. Other backends use the server as given.
 */
export async function backendSide(
  spec: MatrixSpec,
  server: KeycloakConnection,
  backendUrl: string | undefined,
  onCreated: (cleanup: () => Promise<void>) => void,
): Promise<BackendSide> {
  if (backendUrl || !spec.backend.image) return { server, docker: undefined };
  // The Docker client loads only for a backend that runs from an image.
  const { openBackendEngine } = await import('../matrix/backend-container.js');
  const docker = await openBackendEngine(server.url);
  onCreated(() => docker.relay.close());
  return { server: { ...server, url: docker.relay.url }, docker };
}

/**
 * realm → backend: starts the spec's backend command or image with the realm's coordinates,
 * unless the caller named a running backend or the spec has neither. Registered with `onStarted`
 * as soon as it runs, so it is stopped whatever fails next.
 */
export async function startSpecBackend(
  realm: RealmPhase,
  realmKey: RealmKey,
  options: { readonly backendUrl: string | undefined; readonly env: NodeJS.ProcessEnv | undefined; readonly side: BackendSide },
  context: PhaseContext,
  onStarted: (cleanup: () => Promise<void>) => void,
): Promise<StartedBackend | undefined> {
  const { spec } = realm;
  const { command, image } = spec.backend;
  if (options.backendUrl || (!command && !image)) return undefined;
  const resourceServer = await realm.live.oauthClient(spec.keycloak.client);
  const keycloak: BackendKeycloakEnv = {
    KEYCLOAK_URL: realm.server.url,
    KEYCLOAK_REALM: realm.name,
    KEYCLOAK_ISSUER: realm.issuer,
    KEYCLOAK_CLIENT_ID: spec.keycloak.client,
    KEYCLOAK_CLIENT_SECRET: resourceServer.clientSecret ?? '',
    KEYCLOAK_PUBLIC_KEY: realmKey.pem,
    ...(realm.server.caFile ? await backendCaEnv(realm.server.caFile) : {}),
  };
  let backend: StartedBackend;
  if (image && options.side.docker) {
    context.step(`starting the backend container: ${image.name} (Keycloak at ${realm.server.url} for it and for kcbox)`);
    const { startContainerBackend } = await import('../matrix/backend-container.js');
    backend = await startContainerBackend({ ...spec.backend, image }, keycloak, options.side.docker);
  } else {
    context.step(`starting the backend: ${command}`);
    backend = await startBackend({ ...spec.backend, command: command as string }, keycloak, options.env);
  }
  onStarted(() => backend.stop());
  return backend;
}
