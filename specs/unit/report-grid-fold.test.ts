import { describe, expect, it } from 'vitest';
import type { MatrixResult } from '../../harness/check/result-types.js';
import { outcomeOf } from '../../harness/matrix/judge-cell.js';
import type { CellResult, Expectation } from '../../harness/matrix/types.js';
import { foldColumns, splitColumns } from '../../harness/report/grid-fold.js';
import { renderMatrixText } from '../../harness/report/terminal-grid.js';

function cell(endpoint: string, user: string, expected: Expectation, status: number, pass = true): CellResult {
  const observed = { kind: 'answered', status, excerpt: '', durationMs: 1 } as const;
  const acceptedDenyStatuses = user === 'anonymous' ? [401] : [403];
  return {
    endpoint,
    user,
    expected,
    acceptedDenyStatuses,
    observed,
    outcome: outcomeOf(observed, acceptedDenyStatuses),
    pass,
    reason: pass ? '' : 'Keycloak does not grant this, but the backend allowed it with 200',
  };
}

/** 100 users who may read and not delete, user007 who deletes anyway, and anonymous. */
function wideResult(): MatrixResult {
  const users = [...Array.from({ length: 100 }, (_, index) => `user${String(index + 1).padStart(3, '0')}`), 'anonymous'];
  const cells = users.flatMap((user) => [
    cell('GET /items', user, user === 'anonymous' ? 'deny' : 'allow', user === 'anonymous' ? 401 : 200),
    user === 'user007'
      ? cell('DELETE /items/1', user, 'deny', 200, false)
      : cell('DELETE /items/1', user, 'deny', user === 'anonymous' ? 401 : 403),
  ]);
  return {
    spec: { file: 'm.yaml', realm: 'shop', client: 'api', backendUrl: 'http://127.0.0.1:8080' },
    users,
    endpoints: [
      { id: 'GET /items', method: 'GET', path: '/items', requirement: 'items:view', token: 'access token' },
      { id: 'DELETE /items/1', method: 'DELETE', path: '/items/1', requirement: 'items:delete', token: 'access token' },
    ],
    // Endpoint-major, as the check returns them.
    cells: [...cells.filter((value) => value.endpoint === 'GET /items'), ...cells.filter((value) => value.endpoint !== 'GET /items')],
    realmFindings: [],
    backendOutput: undefined,
    startedAt: '2026-11-30T00:00:00.000Z',
    durationMs: 1000,
    incomplete: [],
    passed: false,
  };
}

describe('folding a grid wider than the terminal', () => {
  it('groups columns with identical rows, in first-seen order, named after the first', () => {
    const groups = foldColumns(
      ['a', 'b', 'c', 'd'],
      [
        ['✓ 200', '✓ 200', '✓ 403', '✓ 200'],
        ['✓ 403', '✓ 403', '✓ 403', '✓ 403'],
      ],
    );
    expect(groups).toEqual([
      { label: 'a +2', members: [0, 1, 3] },
      { label: 'c', members: [2] },
    ]);
  });

  it('splits columns into runs that fit, a too-wide column alone', () => {
    expect(splitColumns([10, 10, 10, 30, 5], 25)).toEqual([[0, 1], [2], [3], [4]]);
    expect(splitColumns([10, 10], 100)).toEqual([[0, 1]]);
  });

  it('prints a 101-user matrix within the width: the alike fold into one column, the odd one keeps its own, its failure in full', () => {
    const text = renderMatrixText(wideResult(), { color: false, width: 100 });
    const lines = text.split('\n');
    expect(lines.filter((line) => line.length > 100)).toEqual([]);
    const header = lines.find((line) => line.includes('Endpoint'))!;
    expect(header).toMatch(/│ user001 \+98 +│ user007 +│ anonymous +│/);
    expect(text).toContain('Folded to fit 100 columns');
    expect(text).toMatch(/user001 \+98 = user001, user002, user003, user004, user005, user006, user008,/);
    expect(text).not.toMatch(/user001 \+98 = [^\n]*user007/);
    expect(text).toContain('✗ DELETE /items/1 × user007');
  });

  it('leaves a grid that fits as it is', () => {
    const result = wideResult();
    const narrow: MatrixResult = {
      ...result,
      users: ['user001', 'user007', 'anonymous'],
      cells: result.cells.filter((value) => ['user001', 'user007', 'anonymous'].includes(value.user)),
    };
    const text = renderMatrixText(narrow, { color: false, width: 100 });
    expect(text).not.toContain('Folded');
    expect(text).toMatch(/│ user001 +│ user007 +│ anonymous +│/);
  });

  it('spreads columns that differ over several tables when even folded they do not fit', () => {
    const result = wideResult();
    // Every user different: nothing folds.
    const cells: CellResult[] = result.cells.map((value, index) => ({
      ...value,
      observed: { kind: 'answered', status: 200 + (index % 101), excerpt: '', durationMs: 1 },
    }));
    const text = renderMatrixText({ ...result, cells }, { color: false, width: 100 });
    expect(text.split('\n').filter((line) => line.length > 100)).toEqual([]);
    expect(text.match(/│ Endpoint/g)!.length).toBeGreaterThan(5);
  });

  it('sums up peer cells per caller when one column per owner does not fit, alike callers folded', () => {
    const result = wideResult();
    const owners = result.users.filter((user) => user !== 'anonymous');
    const id = 'GET /carts/${owner.cartId}';
    const peerCells = result.users.flatMap((user) =>
      owners
        .filter((owner) => owner !== user)
        .map((owner) => {
          const wrong = user === 'user002' && owner === 'user001';
          return { ...cell(id, user, 'deny', wrong ? 200 : user === 'anonymous' ? 401 : 403, !wrong), owner };
        }),
    );
    const text = renderMatrixText(
      {
        ...result,
        endpoints: [
          ...result.endpoints,
          { id, method: 'GET', path: '/carts/${owner.cartId}', requirement: 'authenticated', token: 'access' },
        ],
        peerCells,
      },
      { color: false, width: 100 },
    );
    expect(text.split('\n').filter((line) => line.length > 100)).toEqual([]);
    expect(text).toMatch(/│ user001 \+98 +│ ✓ 99 as expected/);
    expect(text).toMatch(/│ user002 +│ ✗ 1 of 99 not as expected, on the objects of +│\n.*│ user001 +│/);
    expect(text).toMatch(/│ anonymous +│ ✓ 100 as expected/);
    expect(text).toContain("✗ GET /carts/${owner.cartId} × user002 on user001's object");
  });
});
