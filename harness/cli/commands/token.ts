import { KcboxError, isKcboxError } from '../../errors.js';
import { defaultLoginClient, defaultResourceServer, fixtureClient, fixturePassword } from '../../realm/fixtures.js';
import { adminCall } from '../../realm/live-settings.js';
import { realmEndpoints } from '../../realm/realm-handle.js';
import { connectAdmin } from '../../runtime/admin-client.js';
import { decodeClaims } from '../../tokens/claims.js';
import { rptGrant } from '../../tokens/token-client.js';
import { type LoginClient, type LoginFlow, loginClientOf, loginTokens } from '../../tokens/user-login.js';
import type { CliOutput } from '../output.js';
import { type CliServer, chooseRealm, cliServer, realmDefinition } from '../server-connection.js';

export interface TokenOptions {
  readonly realm?: string;
  readonly client?: string;
  readonly secret?: string;
  readonly password?: string;
  readonly rpt: boolean;
  readonly audience?: string;
  readonly permission: string[];
  readonly decode: boolean;
  readonly idToken: boolean;
  /** Default `auto`: the client's direct access grants decide between the password grant and the login form. */
  readonly flow?: LoginFlow;
  readonly redirectUri?: string;
}

/**
 * The client's login settings as the live realm has them, when kcbox has no realm file for it;
 * without admin credentials only the id and secret are known (and the password grant is tried).
 */
async function liveLoginClient(server: CliServer, realm: string, clientId: string, secret: string | undefined): Promise<LoginClient> {
  let connection;
  try {
    connection = server.connection();
  } catch (error) {
    if (isKcboxError(error) && error.code === 'ERR_KCBOX_NO_ADMIN_CREDENTIALS') return { clientId, clientSecret: secret };
    throw error;
  }
  const admin = await connectAdmin(connection.url, connection.adminCredentials);
  const [live] = await adminCall(`Looking up client "${clientId}" in realm "${realm}"`, () => admin.clients.find({ realm, clientId }));
  if (!live)
    throw new KcboxError('ERR_KCBOX_CLIENT_NOT_FOUND', `Realm "${realm}" has no client "${clientId}": check --client and --realm.`);
  return loginClientOf({ clientId, clientSecret: secret }, live);
}

/** Prints only a token (or its claims), so `$(kcbox token alice)` drops straight into a header. */
export async function token(username: string, options: TokenOptions, output: CliOutput): Promise<number> {
  const server = await cliServer();
  const realmName = chooseRealm(server, options.realm);
  const definition = await realmDefinition(server, realmName);
  const missing = (what: string, flag: string) =>
    new KcboxError('ERR_KCBOX_USAGE', `kcbox has no realm file for realm "${realmName}" to look up ${what}: pass ${flag}.`);

  const password = options.password ?? (definition ? fixturePassword(definition, username) : undefined);
  if (password === undefined) {
    if (!definition) throw missing(`the password of "${username}"`, '--password');
    throw new KcboxError(
      'ERR_KCBOX_USER_NOT_FOUND',
      `Realm "${realmName}" gives user "${username}" no password in its file: pass --password (or check the user name).`,
    );
  }
  let client: LoginClient;
  if (options.client) {
    const fromFile =
      definition && (definition.clients as Array<{ clientId?: string }> | undefined)?.some((c) => c.clientId === options.client);
    client = fromFile
      ? { ...fixtureClient(definition, options.client), ...(options.secret ? { clientSecret: options.secret } : {}) }
      : await liveLoginClient(server, realmName, options.client, options.secret);
  } else if (definition) {
    client = defaultLoginClient(definition);
  } else {
    throw missing('a login client', '--client');
  }
  client = {
    ...client,
    ...(options.flow ? { flow: options.flow } : {}),
    ...(options.redirectUri ? { redirectUri: options.redirectUri } : {}),
  };

  const realm = { name: realmName, ...realmEndpoints(server.url, realmName) };
  const tokens = await loginTokens(realm, client, { username, password });
  let printed = options.idToken ? tokens.idToken : tokens.accessToken;
  if (options.rpt) {
    const audience = options.audience ?? (definition ? defaultResourceServer(definition) : undefined);
    if (!audience) throw missing('the resource server', '--audience');
    printed = (await rptGrant(realm, tokens.accessToken, { audience, permissions: options.permission })).accessToken;
  }
  if (!printed)
    throw new KcboxError(
      'ERR_KCBOX_TOKEN',
      `Keycloak returned no ${options.idToken ? 'ID token (the client must allow the openid scope)' : 'token'}.`,
    );
  output.out(options.decode ? JSON.stringify(decodeClaims(printed), null, 2) : printed);
  return 0;
}
