import { hostileCase } from '../../harness/hostile/catalog.js';
import type { HostileAttemptResult, HostileFinding, HostileResult } from '../../harness/hostile/result-types.js';
import type { HostileCase, HostileCaseId } from '../../harness/hostile/types.js';
import { outcomeOf } from '../../harness/matrix/judge-cell.js';
import type { CellResult, Expectation, Observation } from '../../harness/matrix/types.js';
import type { EndpointSummary, MatrixResult } from '../../harness/check/result-types.js';

const USERS = ['alice', 'bob', 'carol', 'anonymous'] as const;

const endpoints: EndpointSummary[] = [
  { id: 'GET /items', method: 'GET', path: '/items', requirement: 'public', token: 'access' },
  { id: 'POST /items', method: 'POST', path: '/items', requirement: 'Inventory#inventory:add', token: 'access' },
  { id: 'DELETE /items/{id}', method: 'DELETE', path: '/items/{id}', requirement: 'Inventory#inventory:delete', token: 'rpt' },
];

const allowed = { kind: 'answered', status: 200, excerpt: '[{"id":1}]', durationMs: 12 } as const satisfies Observation;
const denied = (status: number): Observation => ({ kind: 'answered', status, excerpt: '', durationMs: 8 });

function cell(endpoint: string, user: string, expected: Expectation, observed: Observation, reason = ''): CellResult {
  const acceptedDenyStatuses = user === 'anonymous' ? [401] : [403];
  return {
    endpoint,
    user,
    expected,
    acceptedDenyStatuses,
    observed,
    outcome: outcomeOf(observed, acceptedDenyStatuses),
    pass: reason === '',
    reason,
  };
}

/**
 * A finished matrix run: a public endpoint and two protected ones × alice, bob, carol, anonymous.
 * Two cells fail (bob's DELETE answers 500 with a body that would run script if not escaped,
 * carol's POST times out) and one realm finding (POST × bob).
 */
export function matrixResult(): MatrixResult {
  const cells: CellResult[] = [
    ...USERS.map((user) => cell('GET /items', user, 'allow', allowed)),
    cell('POST /items', 'alice', 'allow', { ...allowed, status: 201 }),
    cell('POST /items', 'bob', 'deny', denied(403)),
    cell(
      'POST /items',
      'carol',
      'deny',
      { kind: 'timeout', status: undefined, excerpt: 'no answer within 5000 ms', durationMs: 5000 },
      'The backend did not answer within 5000 ms.',
    ),
    cell('POST /items', 'anonymous', 'deny', denied(401)),
    cell('DELETE /items/{id}', 'alice', 'allow', { ...allowed, status: 204, excerpt: '' }),
    cell(
      'DELETE /items/{id}',
      'bob',
      'deny',
      {
        kind: 'answered',
        status: 500,
        excerpt: `<script>throw new Error('unescaped')</script>\n  at Handler | ${'x'.repeat(300)}\u0001`,
        durationMs: 30,
      },
      'Keycloak denies bob Inventory#inventory:delete, but the backend answered 500 instead of 403.',
    ),
    cell('DELETE /items/{id}', 'carol', 'deny', denied(403)),
    cell('DELETE /items/{id}', 'anonymous', 'deny', denied(401)),
  ];
  return {
    spec: { file: 'specs/inventory.matrix.yaml', realm: 'inventory-3f2a', client: 'inventory-api', backendUrl: 'http://127.0.0.1:4010' },
    users: [...USERS],
    endpoints,
    cells,
    realmFindings: [
      {
        endpoint: 'POST /items',
        user: 'bob',
        permission: 'Inventory#inventory:add',
        declared: 'allow',
        keycloak: 'deny',
        source: { file: 'specs/inventory.matrix.yaml', line: 14 },
      },
    ],
    backendOutput: 'listening on 4010\nError: boom <at> DELETE /items/7',
    startedAt: '2026-03-01T10:00:00.000Z',
    durationMs: 5230,
    incomplete: [],
    passed: false,
  };
}

function catalogEntry(id: HostileCaseId): HostileCase {
  const entry = hostileCase(id);
  if (!entry) throw new Error(`${id} is not in the hostile catalog`);
  return entry;
}

function attempt(caseId: HostileCaseId, variant: string, endpoint: string, observed: Observation, reason = ''): HostileAttemptResult {
  return { caseId, variant, endpoint, user: 'alice', observed, pass: reason === '', severity: catalogEntry(caseId).severity, reason };
}

function finding(
  caseId: HostileCaseId,
  endpoint: string,
  variant: string,
  observed: Pick<Observation, 'status' | 'excerpt'>,
  reason: string,
  blocking: boolean,
): HostileFinding {
  const { title, severity, fix, reference } = catalogEntry(caseId);
  return {
    caseId,
    title,
    severity,
    endpoint,
    variant,
    status: observed.status,
    excerpt: observed.excerpt,
    reason,
    fix,
    reference,
    blocking,
  };
}

const JKU_VARIANT = 'jku → http://127.0.0.1:47113/jku/jwks.json';

/**
 * {@link matrixResult} with a hostile-token run (fail on `high`) against the two protected
 * endpoints: `none` refused everywhere; `jku` accepted on DELETE (its body would run script if not
 * escaped) and the listener fetched (two blocking critical findings, one listener request);
 * `iat-future` accepted on POST (a policy finding below the threshold); `other-realm` skipped;
 * the `scheme-case` control accepted everywhere.
 */
export function matrixResultWithHostile(): MatrixResult {
  const protectedEndpoints = ['POST /items', 'DELETE /items/{id}'];
  const refused: Observation = { kind: 'answered', status: 401, excerpt: '{"error":"invalid_token"}', durationMs: 4 };
  const acceptedDelete: Observation = {
    kind: 'answered',
    status: 204,
    excerpt: `{"deleted":7,"by":"<script>alert('forged')</script>","trace":"${'y'.repeat(300)}"}`,
    durationMs: 9,
  };
  const acceptedPost: Observation = { kind: 'answered', status: 201, excerpt: '{"id":8,"name":"widget"}', durationMs: 7 };
  const attempts: HostileAttemptResult[] = [
    ...protectedEndpoints.flatMap((endpoint) => ['alg "none"', 'alg "nOnE"'].map((variant) => attempt('none', variant, endpoint, refused))),
    attempt('jku', JKU_VARIANT, 'POST /items', refused),
    attempt(
      'jku',
      JKU_VARIANT,
      'DELETE /items/{id}',
      acceptedDelete,
      'The backend accepted a token signed by a key it fetched from the jku URL in the token header.',
    ),
    attempt(
      'iat-future',
      'iat an hour ahead, signed with the realm signing key',
      'POST /items',
      acceptedPost,
      'The backend accepted a token issued an hour in the future.',
    ),
    attempt('iat-future', 'iat an hour ahead, signed with the realm signing key', 'DELETE /items/{id}', refused),
    ...protectedEndpoints.flatMap((endpoint) =>
      ['scheme "bearer"', 'scheme "BEARER"'].map((variant) =>
        attempt('scheme-case', variant, endpoint, endpoint === 'POST /items' ? acceptedPost : { ...acceptedDelete, excerpt: '' }),
      ),
    ),
  ];
  const findings: HostileFinding[] = [
    finding(
      'iat-future',
      'POST /items',
      'iat an hour ahead, signed with the realm signing key',
      acceptedPost,
      'The backend accepted a token issued an hour in the future.',
      false,
    ),
    finding(
      'jku',
      'DELETE /items/{id}',
      JKU_VARIANT,
      acceptedDelete,
      'The backend accepted a token signed by a key it fetched from the jku URL in the token header.',
      true,
    ),
    finding(
      'jku',
      '(listener)',
      JKU_VARIANT,
      { status: undefined, excerpt: 'GET /jku/jwks.json' },
      'The backend fetched the JWKS the token header pointed it at: a server-side request forgery.',
      true,
    ),
  ];
  const cases = (['none', 'jku', 'iat-future', 'scheme-case'] as const).map((id) => {
    const { title, severity, control } = catalogEntry(id);
    return { id, title, severity, control };
  });
  const hostile: HostileResult = {
    failOn: 'high',
    cases,
    skipped: [{ id: 'other-realm', reason: 'The spec names an existing realm, so kcbox has no second realm to take a token from.' }],
    endpoints: protectedEndpoints,
    attempts,
    findings,
    listenerRequests: ['GET /jku/jwks.json'],
    blocking: 2,
    incomplete: [],
  };
  return { ...matrixResult(), hostile };
}
