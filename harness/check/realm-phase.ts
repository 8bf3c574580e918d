import { randomBytes } from 'node:crypto';
import { isKcboxError } from '../errors.js';
import { matrixRealm } from '../matrix/matrix-realm.js';
import { endpointRequirements, flattenRequirement } from '../matrix/requirements.js';
import { substituteRunTime } from '../matrix/spec-variables.js';
import { MatrixSpecError } from '../matrix/spec-error.js';
import { realmProblems } from '../matrix/spec-realm-check.js';
import type { MatrixSpec } from '../matrix/types.js';
import { importRealm, realmEndpoints } from '../realm/realm-handle.js';
import { type RealmRepresentation, loadRealm } from '../realm/realm-input.js';
import { connectAdmin } from '../runtime/admin-client.js';
import type { KeycloakConnection } from '../runtime/connection.js';
import type { PhaseContext, RealmPhase } from '../matrix/phases.js';

/**
 * spec → realm: imports an isolated copy of the spec's realm file (or takes the named realm),
 * reads it live and checks every reference of the spec against it, listing all problems at once.
 * What it creates is registered with `onCreated` before anything else can fail; `addToImport`
 * adds to the copy sent to Keycloak (a suite's signing key) in the same import.
 *
 * @throws MatrixSpecError when the spec names users, clients or scopes the realm lacks, or users
 * without a known password (exit 2).
 */
export async function openRealm(
  spec: MatrixSpec,
  server: KeycloakConnection,
  context: PhaseContext,
  onCreated: (cleanup: () => Promise<void>) => void,
  addToImport?: (representation: RealmRepresentation) => RealmRepresentation | Promise<RealmRepresentation>,
): Promise<RealmPhase> {
  context.step(
    spec.keycloak.realmFile ? `importing ${spec.keycloak.realmFile} as an isolated realm` : `using realm ${spec.keycloak.realm}`,
  );
  let name: string;
  let representation;
  if (spec.keycloak.realmFile) {
    const handle = await importRealm(server, spec.keycloak.realmFile, { isolate: true, ...(addToImport ? { addToImport } : {}) });
    onCreated(() => handle.delete());
    name = handle.name;
    representation = handle.representation;
  } else {
    name = spec.keycloak.realm as string;
    const file = server.realmFiles?.[name];
    representation = file ? (await loadRealm(file)).representation : undefined;
  }
  const admin = await connectAdmin(server.url, server.adminCredentials);
  const requirements = spec.endpoints.flatMap(endpointRequirements).flatMap(flattenRequirement);
  const fixtures = spec.keycloak.fixtureUsers;
  const live = await matrixRealm(admin, name, spec.keycloak.client, {
    representation,
    loginClient: spec.keycloak.loginClient,
    loginFlow: spec.keycloak.loginFlow,
    // A fixture user without a password gets one nobody needs to know: kcbox logs it in itself.
    passwords: {
      ...spec.keycloak.passwords,
      ...Object.fromEntries(fixtures.map((user) => [user.username, user.password ?? randomBytes(18).toString('base64url')])),
    },
    // Realms without Authorization Services work as long as nothing asks a UMA permission.
    authorization: requirements.some((part) => part.kind === 'scope'),
    roleClients: [
      ...new Set([
        ...requirements.flatMap((part) => (part.kind === 'client-role' ? [part.client] : [])),
        ...fixtures.flatMap((user) => Object.keys(user.clientRoles)),
      ]),
    ],
    groups: fixtures.some((user) => user.groups.length > 0) || spec.setup?.tenants?.kind === 'groups',
  }).catch((error: unknown) => {
    // The spec named the resource server: say so in the spec's terms, not the drift command's flags.
    if (isKcboxError(error) && error.code === 'ERR_KCBOX_CLIENT_NOT_FOUND') {
      throw new MatrixSpecError([
        {
          file: spec.file ?? '<spec>',
          line: undefined,
          path: 'keycloak.client',
          message: error.message.replace(/: check --realm and --client\.|: name the resource server with --client\./, '.'),
        },
      ]);
    }
    throw error;
  });
  const problems = realmProblems(spec, live.facts, live.loginClient, (user) => live.passwordOf(user));
  if (problems.length > 0) throw new MatrixSpecError(problems);
  if (fixtures.length > 0) {
    context.step(`creating ${fixtures.map((user) => user.username).join(', ')} in realm ${name}`);
    // The loader refuses keycloak.users without a realm file: this realm is kcbox's own copy.
    await live.createUsers(fixtures);
  }
  // Read now, while Keycloak surely answers: the result is redacted with it at the very end.
  await live.oauthClient(spec.keycloak.client);
  const endpoints = realmEndpoints(server.url, name);
  // From here on the spec speaks of this realm: ${KEYCLOAK_REALM} in a path is the isolated copy's name.
  const runTime = {
    KEYCLOAK_URL: server.url,
    KEYCLOAK_REALM: name,
    KEYCLOAK_ISSUER: endpoints.issuer,
    KEYCLOAK_CLIENT_ID: spec.keycloak.client,
  };
  const fill = (text: string) => substituteRunTime(text, runTime);
  const fillRequest = <T extends { path: string; headers: Readonly<Record<string, string>>; body: string | undefined }>(request: T): T => ({
    ...request,
    path: fill(request.path),
    headers: Object.fromEntries(Object.entries(request.headers).map(([header, value]) => [header, fill(value)])),
    body: request.body === undefined ? undefined : fill(request.body),
  });
  const resolved: MatrixSpec = {
    ...spec,
    endpoints: spec.endpoints.map(fillRequest),
    ...(spec.setup ? { setup: { ...spec.setup, steps: spec.setup.steps.map(fillRequest) } } : {}),
  };
  return {
    spec: resolved,
    server,
    admin,
    name,
    issuer: endpoints.issuer,
    tokenRealm: { name, tokenUrl: endpoints.tokenUrl },
    representation,
    ownRealm: spec.keycloak.realmFile !== undefined,
    live,
  };
}
