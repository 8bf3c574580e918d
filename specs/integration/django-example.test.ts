import type { KeycloakConnection } from '../../harness/runtime/connection.js';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { checkMatrix } from '../../harness/check/check-matrix.js';
import { loadMatrixSpecSync } from '../../harness/matrix/spec-load.js';
import { kcboxServer } from '../../harness/vitest/index.js';
import { failedCells, statusGrid } from '../support/cells.js';
import { optionalTool } from '../support/optional-tool.js';

const DJANGO = 'examples/django-inventory/matrix.yaml';

// The example runs on Debian's interpreter and packages only; say how to get them rather than fail in the backend's log.
const django = optionalTool(
  "Debian's Django, DRF, PyJWT and cryptography for /usr/bin/python3",
  () => {
    execFileSync('/usr/bin/python3', ['-c', 'import django, rest_framework, jwt, cryptography'], { stdio: 'ignore', timeout: 15_000 });
    return true;
  },
  'bash examples/django-inventory/install.sh (apt-get install python3-django python3-djangorestframework python3-jwt python3-cryptography)',
);

function server(): KeycloakConnection {
  const provided = kcboxServer();
  return { url: provided.url, adminCredentials: provided.adminCredentials };
}

describe.skipIf(!django.available)('the Django example (Debian python3-django, DRF, PyJWT) against a real Keycloak', () => {
  it('enforces the matrix and refuses the whole hostile catalog but the advisory cases', async () => {
    const result = await checkMatrix({ spec: loadMatrixSpecSync(DJANGO), server: server() });
    expect(failedCells(result)).toEqual([]);
    expect(statusGrid(result)).toMatchObject({
      'GET /health × anonymous': 200,
      'GET /api/inventory × bob': 200,
      'GET /api/inventory × carol': 403,
      'GET /api/inventory × anonymous': 401,
      'POST /api/inventory × alice': 201,
      'POST /api/inventory × bob': 403,
      'DELETE /api/inventory/2 × carol': 403,
    });
    const hostile = result.hostile!;
    expect(hostile.skipped).toEqual([]);
    expect(hostile.endpoints).toEqual(['GET /api/inventory', 'POST /api/inventory', 'PUT /api/inventory/1', 'DELETE /api/inventory/2']);
    expect(hostile.blocking).toBe(0);
    const findings = new Set(hostile.findings.map((finding) => finding.caseId));
    expect([...findings].filter((id) => id !== 'revoked-session' && id !== 'disabled-user')).toEqual([]);
    expect(hostile.listenerRequests).toEqual([]);
    // The control: "bearer" and "BEARER" got in everywhere; two Authorization lines (merged by WSGI) got 400.
    expect(
      hostile.attempts
        .filter((attempt) => attempt.caseId === 'scheme-case')
        .every((attempt) => attempt.pass && attempt.observed.kind === 'answered'),
    ).toBe(true);
    expect(
      new Set(hostile.attempts.filter((attempt) => attempt.caseId === 'dup-header').map((attempt) => attempt.observed.status)),
    ).toEqual(new Set([400]));
    expect(result.passed).toBe(true);
    // One log line per request (the output keeps the last 100), and no token in it.
    expect(result.backendOutput).toMatch(/^(GET|POST|PUT|DELETE) \/api\/inventory(\/\d+)? \d{3}$/m);
    expect(JSON.stringify(result)).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });

  it('a DELETE that forgets its scope fails on exactly the cells Keycloak denies', async () => {
    const result = await checkMatrix({
      spec: loadMatrixSpecSync(DJANGO),
      server: server(),
      env: { ...process.env, FAULT: 'skip-delete-scope' },
      hostile: false,
    });
    expect(result.passed).toBe(false);
    expect(failedCells(result)).toEqual(['DELETE /api/inventory/2 × bob', 'DELETE /api/inventory/2 × carol']);
    expect(result.cells.find((cell) => cell.endpoint === 'DELETE /api/inventory/2' && cell.user === 'bob')?.reason).toMatch(
      /Keycloak does not grant this, but the backend allowed/,
    );
  });

  it("the guide's bug (a user without client roles crashes the middleware) shows as carol's 500s", async () => {
    const result = await checkMatrix({
      spec: loadMatrixSpecSync(DJANGO),
      server: server(),
      env: { ...process.env, FAULT: 'crash-without-roles' },
      hostile: false,
    });
    expect(failedCells(result)).toEqual([
      'GET /api/inventory × carol',
      'POST /api/inventory × carol',
      'PUT /api/inventory/1 × carol',
      'DELETE /api/inventory/2 × carol',
    ]);
    expect(result.cells.filter((cell) => !cell.pass).every((cell) => cell.observed.status === 500)).toBe(true);
  });
});
