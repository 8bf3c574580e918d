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
  const { title, severity, fix, reference, exploitableBy } = catalogEntry(caseId);
  return {
    caseId,
    title,
    severity,
    exploitableBy,
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
    const { title, severity, control, exploitableBy } = catalogEntry(id);
    return { id, title, severity, exploitableBy, control };
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

const NO_SIGNING_KEY =
  'No realm signing key: kcbox re-signs claims only in realms it imported (it provisions the key there); this realm was not.';

/**
 * {@link matrixResultWithHostile} as the suite reports skips found at run time: every chosen case
 * is in `cases`, and the skipped ones (`other-realm`, `expired`) are in `skipped` as well, with
 * their reasons; neither sent an attempt.
 */
export function matrixResultWithRuntimeSkips(): MatrixResult {
  const result = matrixResultWithHostile();
  const hostile = result.hostile!;
  const chosen = (['none', 'jku', 'expired', 'iat-future', 'other-realm', 'scheme-case'] as const).map((id) => {
    const { title, severity, control, exploitableBy } = catalogEntry(id);
    return { id, title, severity, exploitableBy, control };
  });
  return {
    ...result,
    hostile: { ...hostile, cases: chosen, skipped: [...hostile.skipped, { id: 'expired', reason: NO_SIGNING_KEY }] },
  };
}

/**
 * A run that could not check everything: {@link matrixResultWithRuntimeSkips} where carol's POST
 * timed out and her DELETE got no answer (2 inconclusive cells beside bob's failed DELETE), Keycloak
 * did not issue the `other-client` token (the case is not checked), one `none` attempt got no
 * answer, and the backend exited. The hostile suite's share of `incomplete` is in the result's
 * list too, as the pipeline copies it.
 */
export function matrixResultIncomplete(): MatrixResult {
  const result = matrixResultWithRuntimeSkips();
  const hostile = result.hostile!;
  const reset = 'read ECONNRESET (also on a fresh connection)';
  const cells = result.cells.map((value) =>
    value.endpoint === 'DELETE /items/{id}' && value.user === 'carol'
      ? {
          ...value,
          observed: { kind: 'network-error' as const, status: undefined, excerpt: reset, durationMs: 3 },
          outcome: 'network-error' as const,
          pass: false,
          reason: 'expected a denial, but the backend gave no answer (network error)',
        }
      : value,
  );
  const unansweredVariant = 'alg "nOnE"';
  const attempts = hostile.attempts.map((value) =>
    value.caseId === 'none' && value.endpoint === 'DELETE /items/{id}' && value.variant === unansweredVariant
      ? {
          ...value,
          observed: { kind: 'timeout' as const, status: undefined, excerpt: 'no answer within 5000 ms', durationMs: 5000 },
          pass: false,
          inconclusive: true,
          reason: 'no answer (timeout): no answer within 5000 ms',
        }
      : value,
  );
  const otherClient = catalogEntry('other-client');
  const hostileIncomplete = [
    {
      what: 'hostile other-client',
      why: 'Keycloak did not give kcbox the token: 503 Service Unavailable from /realms/inventory-3f2a/protocol/openid-connect/token',
    },
    { what: `hostile none · DELETE /items/{id} · ${unansweredVariant}`, why: 'no answer (timeout): no answer within 5000 ms' },
  ];
  return {
    ...result,
    cells,
    hostile: {
      ...hostile,
      cases: [
        ...hostile.cases,
        {
          id: otherClient.id,
          title: otherClient.title,
          severity: otherClient.severity,
          exploitableBy: otherClient.exploitableBy,
          control: false,
        },
      ],
      attempts,
      incomplete: hostileIncomplete,
    },
    incomplete: [
      { what: 'the backend', why: 'it exited during the check (code 1); its last output is in the report' },
      { what: 'POST /items × carol', why: 'no answer (timeout): no answer within 5000 ms' },
      { what: 'DELETE /items/{id} × carol', why: `no answer (network-error): ${reset}` },
      ...hostileIncomplete,
    ],
    passed: false,
  };
}

/**
 * {@link matrixResult} with an object endpoint (`GET /carts/${owner.cartId}`, owner only): each of
 * alice, bob and carol on their own cart (role cells), and peer cells for every caller on the
 * others' carts, where bob reads alice's cart (the one failing peer cell).
 */
export function matrixResultWithPeers(): MatrixResult {
  const base = matrixResult();
  const id = 'GET /carts/${owner.cartId}';
  const owners = ['alice', 'bob', 'carol'];
  const own = owners.map((user) => ({ ...cell(id, user, 'allow', allowed), owner: user }));
  const peerCells = [...USERS].flatMap((user) =>
    owners
      .filter((owner) => owner !== user)
      .map((owner) =>
        user === 'bob' && owner === 'alice'
          ? {
              ...cell(
                id,
                user,
                'deny',
                allowed,
                "Keycloak grants bob the endpoint, but the object is alice's: the backend allowed it with 200",
              ),
              owner,
            }
          : { ...cell(id, user, 'deny', denied(user === 'anonymous' ? 401 : 403)), owner },
      ),
  );
  return {
    ...base,
    endpoints: [
      ...base.endpoints,
      { id, method: 'GET', path: '/carts/${owner.cartId}', requirement: 'authenticated', ownership: 'owner only', token: 'access' },
    ],
    cells: [...base.cells, ...own],
    peerCells,
  };
}
