import type { CellResult, EndpointSummary, Expectation, MatrixResult, Observation } from '../../harness/matrix/types.js';

const USERS = ['alice', 'bob', 'carol', 'anonymous'] as const;

const endpoints: EndpointSummary[] = [
  { id: 'GET /items', method: 'GET', path: '/items', requirement: 'public', token: 'access' },
  { id: 'POST /items', method: 'POST', path: '/items', requirement: 'Inventory#inventory:add', token: 'access' },
  { id: 'DELETE /items/{id}', method: 'DELETE', path: '/items/{id}', requirement: 'Inventory#inventory:delete', token: 'rpt' },
];

const allowed: Observation = { kind: 'allowed', status: 200, excerpt: '[{"id":1}]', durationMs: 12 };
const denied = (status: number): Observation => ({ kind: 'denied', status, excerpt: '', durationMs: 8 });

function cell(endpoint: string, user: string, expected: Expectation, observed: Observation, reason = ''): CellResult {
  const acceptedDenyStatuses = user === 'anonymous' ? [401] : [403];
  return { endpoint, user, expected, acceptedDenyStatuses, observed, pass: reason === '', reason };
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
    cell('POST /items', 'carol', 'deny', { kind: 'timeout', status: undefined, excerpt: 'no answer within 5000 ms', durationMs: 5000 }, 'The backend did not answer within 5000 ms.'),
    cell('POST /items', 'anonymous', 'deny', denied(401)),
    cell('DELETE /items/{id}', 'alice', 'allow', { ...allowed, status: 204, excerpt: '' }),
    cell(
      'DELETE /items/{id}',
      'bob',
      'deny',
      { kind: 'server-error', status: 500, excerpt: `<script>throw new Error('unescaped')</script>\n  at Handler | ${'x'.repeat(300)}\u0001`, durationMs: 30 },
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
    passed: false,
  };
}
