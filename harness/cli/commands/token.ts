import { KcboxError } from '../../errors.js';
import { defaultLoginClient, defaultResourceServer, fixtureClient, fixturePassword } from '../../realm/fixtures.js';
import { realmEndpoints } from '../../realm/realm-handle.js';
import { decodeClaims } from '../../tokens/claims.js';
import { passwordGrant, rptGrant, type OAuthClient } from '../../tokens/token-client.js';
import type { CliOutput } from '../output.js';
import { chooseRealm, cliServer, realmDefinition } from '../server-connection.js';

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
  let client: OAuthClient;
  if (options.client) {
    client =
      definition && !options.secret
        ? fixtureClient(definition, options.client)
        : { clientId: options.client, clientSecret: options.secret };
  } else if (definition) {
    client = defaultLoginClient(definition);
  } else {
    throw missing('a login client', '--client');
  }

  const realm = { name: realmName, ...realmEndpoints(server.url, realmName) };
  const tokens = await passwordGrant(realm, client, { username, password });
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
