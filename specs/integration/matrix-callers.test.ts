import { describe, expect, it } from 'vitest';
import { checkMatrix } from '../../harness/check/check-matrix.js';
import { loadMatrixSpecSync, parseMatrixSpec } from '../../harness/matrix/spec-load.js';
import { kcboxServer } from '../../harness/vitest/index.js';
import { failedCells } from '../support/cells.js';

/**
 * specs/fixtures/callers: a realm without Authorization Services and without users, a backend
 * that checks client roles, realm roles, the scope claim and groups. The matrix declares its
 * users and calls as them, as a service account, with scoped tokens, and as anonymous.
 */
const MATRIX = 'specs/fixtures/callers/matrix.yaml';

describe('callers beyond password users (real Keycloak, real backend)', () => {
  it('matrix-declared users, a service account and scoped callers get what Keycloak issues them', async () => {
    const spec = loadMatrixSpecSync(MATRIX);
    const result = await checkMatrix({ spec, server: kcboxServer(), hostile: { cases: ['none', 'typ-id', 'id-token'] } });
    expect(failedCells(result)).toEqual([]);
    expect(result.incomplete).toEqual([]);
    const expected = Object.fromEntries(result.cells.map((cell) => [`${cell.endpoint} × ${cell.user}`, cell.expected]));
    expect(expected).toMatchObject({
      // dana's roles and group come from keycloak.users; eve was created with none.
      'GET /reports × dana': 'allow',
      'GET /reports × eve': 'deny',
      'DELETE /reports/1 × dana': 'allow',
      'GET /staff/notes × dana': 'allow',
      'GET /staff/notes × eve': 'deny',
      'GET /payroll × dana': 'allow',
      'GET /payroll × eve': 'deny',
      // The service account: its client's token (the realm maps it reports-read), not a user's.
      'GET /reports × nightly-job': 'allow',
      'DELETE /reports/1 × nightly-job': 'deny',
      'GET /payroll × nightly-job': 'deny',
      'GET /me × nightly-job': 'allow',
      // reports.write is optional: only tokens requested with it carry it.
      'GET /exports × eve': 'deny',
      'GET /exports × eve+write': 'allow',
      'GET /exports × nightly-job': 'deny',
      'GET /exports × job+write': 'allow',
      'exports, asking for the scope × eve': 'allow',
      'exports, asking for the scope × nightly-job': 'allow',
      'exports, asking for the scope × anonymous': 'deny',
      'GET /health × anonymous': 'allow',
      'POST /exports/scheduled × dana': 'deny',
      'POST /exports/scheduled × eve+write': 'deny',
      'POST /exports/scheduled × nightly-job': 'deny',
      'POST /exports/scheduled × job+write': 'allow',
    });
    expect(result.users).toEqual(['dana', 'eve', 'eve+write', 'nightly-job', 'job+write', 'anonymous']);
    expect(result.endpoints.find((endpoint) => endpoint.id === 'exports, asking for the scope')?.token).toBe(
      'access token, scope reports.write',
    );
    expect(result.hostile?.blocking).toBe(0);
    // Only a service account may schedule exports: forged tokens start from its token, and the
    // cases that need a password login are skipped there, with the reason.
    expect(result.hostile?.endpoints).toContain('POST /exports/scheduled');
    expect(result.hostile?.attempts.filter((attempt) => attempt.endpoint === 'POST /exports/scheduled').map((a) => a.user)).toContain(
      'job+write',
    );
    expect(result.hostile?.skipped).toEqual([
      { id: 'id-token', reason: expect.stringContaining('"job+write", is a service account') as string },
    ]);
    expect(result.passed).toBe(true);
    // The service account's secret never reaches the result.
    expect(JSON.stringify(result)).not.toContain('nightly-job-secret');
  });

  it('flags a backend that lets any valid token export, whatever scope Keycloak granted', async () => {
    const spec = loadMatrixSpecSync(MATRIX);
    const result = await checkMatrix({
      spec: { ...spec, backend: { ...spec.backend, env: { FAULT: 'ignore-scope' } } },
      server: kcboxServer(),
      hostile: false,
    });
    // Only the callers whose tokens lack reports.write; the scoped ones are rightly let in.
    expect(failedCells(result)).toEqual([
      'GET /exports × dana',
      'GET /exports × eve',
      'GET /exports × nightly-job',
      // The role alone now lets them schedule exports too.
      'POST /exports/scheduled × dana',
      'POST /exports/scheduled × nightly-job',
    ]);
    expect(new Set(result.cells.filter((cell) => !cell.pass).map((cell) => cell.reason))).toEqual(
      new Set(['Keycloak does not grant this, but the backend allowed it with 200']),
    );
    expect(result.passed).toBe(false);
  });

  it('a fixture user naming a group the realm lacks, or a client without a service account, is a spec problem at its line', async () => {
    const spec = parseMatrixSpec(
      `keycloak:
  realm: realm.json
  client: reports-api
  loginClient: reports-web
  users:
    zed:
      clientRoles: {reports-api: [reports-boss]}
      groups: [/finance/tax]
backend: {url: 'http://127.0.0.1:1'}
users:
  - zed
  - {serviceAccount: reports-web}
endpoints:
  - {method: GET, path: /me, requires: authenticated}
`,
      { file: 'specs/fixtures/callers/bad.yaml' },
    );
    await expect(checkMatrix({ spec, server: kcboxServer(), hostile: false })).rejects.toThrow(
      [
        'specs/fixtures/callers/bad.yaml:7: keycloak.users.zed.clientRoles: client "reports-api" has no role "reports-boss" (its roles: reports-admin, reports-read)',
        'specs/fixtures/callers/bad.yaml:8: keycloak.users.zed.groups: unknown group "/finance/tax" in realm',
      ].join('\n  '),
    );
    await expect(checkMatrix({ spec, server: kcboxServer(), hostile: false })).rejects.toThrow(
      'bad.yaml:12: users[1]: client "reports-web" has no service account',
    );
  });

  it('a scope the client does not offer fails the token request with what to change', async () => {
    const spec = parseMatrixSpec(
      {
        keycloak: { realm: 'realm.json', client: 'reports-api', users: { eve: null } },
        backend: { url: 'http://127.0.0.1:1' },
        users: [{ serviceAccount: 'nightly-job', scope: 'reports.fly' }],
        endpoints: [{ method: 'GET', path: '/me', requires: 'authenticated' }],
      },
      { baseDir: 'specs/fixtures/callers' },
    );
    await expect(checkMatrix({ spec, server: kcboxServer(), hostile: false })).rejects.toThrow(
      /Client "nightly-job" in realm "reports-\w+" does not offer the OAuth scopes asked .*make each a default or optional client scope/,
    );
  });
});
