import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { codeFlowLogin } from '../../harness/tokens/code-flow.js';
import { LoginError } from '../../harness/tokens/login-error.js';

const page = (name: string, base: string) =>
  readFileSync(`specs/fixtures/login-pages/${name}.html`, 'utf8').replaceAll(
    'http://127.0.0.1:8080/realms/pkce-scratch',
    `${base}/realms/r`,
  );

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const ACCESS_TOKEN = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ sub: 'alice-id', exp: 4_102_444_800 })}.c2ln`;

let server: Server | undefined;
afterEach(() => server?.close());

/**
 * A stand-in for Keycloak's login endpoints: the form, then what each submission gets, in turn
 * (`timeout` is the form again with Keycloak's loginTimeout message, `code` the redirect with a code).
 */
async function keycloakAnswering(submissions: ReadonlyArray<'timeout' | 'refused' | 'code'>) {
  const answers = [...submissions];
  let authorizations = 0;
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', base);
    if (url.pathname.endsWith('/protocol/openid-connect/auth')) {
      authorizations += 1;
      state = url.searchParams.get('state') ?? '';
      response.writeHead(200, { 'content-type': 'text/html' }).end(page('login', base));
    } else if (url.pathname.endsWith('/login-actions/authenticate')) {
      const answer = answers.shift();
      if (answer === 'code') {
        response.writeHead(302, { location: `http://localhost:9/cb?code=the-code&state=${state}` }).end();
      } else {
        const text = page('login-invalid-credentials', base);
        const shown =
          answer === 'timeout'
            ? text.replace('Invalid username or password.', 'Your login attempt timed out. Login will start from the beginning.')
            : text;
        response.writeHead(200, { 'content-type': 'text/html' }).end(shown);
      }
    } else if (url.pathname.endsWith('/protocol/openid-connect/token')) {
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 300 }));
    } else response.writeHead(404).end();
  });
  let state = '';
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { realm: { name: 'r', tokenUrl: `${base}/realms/r/protocol/openid-connect/token` }, authorizations: () => authorizations };
}

const login = (realm: { name: string; tokenUrl: string }) =>
  codeFlowLogin(realm, { clientId: 'web' }, { username: 'alice', password: 'pw' }, { redirectUri: 'http://localhost:9/cb' });

describe('the code flow when Keycloak restarts a login', () => {
  it('starts again from the authorization request once, as a browser would, and gets the code', async () => {
    const keycloak = await keycloakAnswering(['timeout', 'code']);
    expect((await login(keycloak.realm)).accessToken).toBe(ACCESS_TOKEN);
    expect(keycloak.authorizations()).toBe(2);
  });

  it('gives up after one restart, and a refused password is never retried', async () => {
    const twice = await keycloakAnswering(['timeout', 'timeout', 'code']);
    await expect(login(twice.realm)).rejects.toThrow(/login attempt timed out/);
    server?.close();
    const refused = await keycloakAnswering(['refused', 'code']);
    const error = await login(refused.realm).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LoginError);
    expect((error as LoginError).code).toBe('ERR_KCBOX_LOGIN_CREDENTIALS');
    expect(refused.authorizations()).toBe(1);
  });
});
