import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMatrix } from '../../harness/check/check-matrix.js';
import { checkExitCode } from '../../harness/check/exit-code.js';
import type { MatrixResult } from '../../harness/check/result-types.js';
import { loadMatrixSpecSync, parseMatrixSpec } from '../../harness/matrix/spec-load.js';
import type { KeycloakConnection } from '../../harness/runtime/connection.js';
import { kcboxServer } from '../../harness/vitest/index.js';
import { failedCells } from '../support/cells.js';

const EXPRESS = 'examples/express-inventory/matrix.yaml';

function server(): KeycloakConnection {
  const provided = kcboxServer();
  return { url: provided.url, adminCredentials: provided.adminCredentials };
}

/** `endpoint × caller on owner` → what was expected and what came. */
const peerGrid = (result: MatrixResult) =>
  Object.fromEntries(
    (result.peerCells ?? []).map((cell) => [
      `${cell.endpoint} × ${cell.user} on ${cell.owner}`,
      `${cell.expected} ${cell.observed.status ?? cell.outcome}`,
    ]),
  );

const failedPeers = (result: MatrixResult) =>
  (result.peerCells ?? []).filter((cell) => !cell.pass).map((cell) => `${cell.endpoint} × ${cell.user} on ${cell.owner}`);

/** The Express matrix with its text changed, read as if it were still the example's file. */
function expressWith(replace: (text: string) => string) {
  const file = resolve(EXPRESS);
  return parseMatrixSpec(replace(readFileSync(file, 'utf8')), { file: join(resolve('examples/express-inventory'), 'variant.yaml') });
}

const ITEM = '/api/items/${owner.itemId}';

describe('object-level checks against the Express example (real Keycloak, real backend)', () => {
  it('every caller on every owner’s items: the owner and inventory-admin get in, the others are refused', async () => {
    const result = await checkMatrix({ spec: loadMatrixSpecSync(EXPRESS), server: server(), hostile: false });
    expect(failedCells(result)).toEqual([]);
    expect(failedPeers(result)).toEqual([]);
    expect(checkExitCode(result)).toBe(0);
    // 3 object endpoints × (4 callers × 3 owners − 3 own objects).
    expect(result.peerCells).toHaveLength(27);
    expect(peerGrid(result)).toMatchObject({
      [`GET ${ITEM} × alice on bob`]: 'allow 200',
      [`GET ${ITEM} × bob on alice`]: 'deny 403',
      [`PUT ${ITEM} × carol on bob`]: 'deny 403',
      [`DELETE ${ITEM} × alice on carol`]: 'allow 204',
      [`DELETE ${ITEM} × bob on carol`]: 'deny 403',
      [`GET ${ITEM} × anonymous on alice`]: 'deny 401',
    });
    // The role cells of an object endpoint: each owner on its own item, a DELETE last (so its own GET saw it).
    const own = result.cells.filter((cell) => cell.endpoint === `DELETE ${ITEM}`).map((cell) => `${cell.user} ${cell.observed.status}`);
    expect(own).toEqual(['alice 204', 'bob 204', 'carol 204']);
    expect(result.endpoints.find((endpoint) => endpoint.id === `GET ${ITEM}`)?.ownership).toBe(
      'owner or role inventory-api/inventory-admin',
    );
  });

  it('FAULT=skip-item-owner-check is flagged by exactly the peer cells of the route that skips it', async () => {
    const result = await checkMatrix({
      spec: loadMatrixSpecSync(EXPRESS),
      server: server(),
      env: { ...process.env, FAULT: 'skip-item-owner-check' },
      hostile: false,
    });
    // The role and scope cells cannot see it: every owner may edit its own item anyway.
    expect(failedCells(result)).toEqual([]);
    expect(failedPeers(result)).toEqual([
      `PUT ${ITEM} × bob on alice`,
      `PUT ${ITEM} × bob on carol`,
      `PUT ${ITEM} × carol on alice`,
      `PUT ${ITEM} × carol on bob`,
    ]);
    expect(result.incomplete).toEqual([]);
    expect(checkExitCode(result)).toBe(1);
    expect(result.peerCells?.find((cell) => !cell.pass)?.reason).toMatch(
      /Keycloak grants bob the endpoint, but the object is alice's and the rule is "owner or role inventory-api\/inventory-admin": the backend allowed it with 200/,
    );
  });

  it('a setup step that is refused or whose pointer finds nothing: incomplete (exit 2), never a pass', async () => {
    const refused = await checkMatrix({
      // bob may not add to the shared inventory: his setup step is answered 403.
      spec: expressWith((text) =>
        text.replace('      path: /api/items\n      body: {name: my item', '      path: /api/inventory\n      body: {name: my item'),
      ),
      server: server(),
      hostile: false,
    });
    expect(checkExitCode(refused)).toBe(2);
    expect(refused.passed).toBe(false);
    const bob = refused.incomplete.find((work) => work.what === 'setup "create item" as bob');
    expect(bob?.why).toMatch(
      /^refused with 403: if bob may not create objects, list the callers who may under setup.owners \(.*variant\.yaml:\d+\); so 12 object cells \(for alice, bob, carol, anonymous\) were not run$/,
    );
    // alice (inventory-admin) could create hers: her objects were checked.
    expect(refused.incomplete.some((work) => work.what === 'setup "create item" as alice')).toBe(false);
    expect(refused.peerCells?.every((cell) => cell.owner === 'alice')).toBe(true);

    const missing = await checkMatrix({
      spec: expressWith((text) => text.replace('capture: {itemId: /id}', 'capture: {itemId: /item/id}')),
      server: server(),
      hostile: false,
    });
    expect(checkExitCode(missing)).toBe(2);
    expect(missing.peerCells).toEqual([]);
    expect(missing.incomplete.map((work) => work.why)).toContain(
      'answered 201, but itemId: the answer has nothing at "/item/id"; so 12 object cells (for alice, bob, carol, anonymous) were not run',
    );
  });
});
