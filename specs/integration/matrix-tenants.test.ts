import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkMatrix } from '../../harness/check/check-matrix.js';
import { checkExitCode } from '../../harness/check/exit-code.js';
import type { MatrixResult } from '../../harness/check/result-types.js';
import { loadMatrixSpecSync, parseMatrixSpec } from '../../harness/matrix/spec-load.js';
import { cellLabel } from '../../harness/report/matrix-facts.js';
import { kcboxServer } from '../../harness/vitest/index.js';
import { failedCells } from '../support/cells.js';

/**
 * specs/fixtures/tenants: one realm, a group per tenant (/acme with its subgroup /acme/east,
 * /globex), users the matrix declares in them, and a backend that scopes items to the creator's
 * tenant. `owner: tenant` expects every caller of the owner's tenant to get in, and no one else.
 */
const MATRIX = 'specs/fixtures/tenants/matrix.yaml';
const ITEM = '/items/${owner.itemId}';

const peerGrid = (result: MatrixResult) =>
  Object.fromEntries(
    (result.peerCells ?? []).map((cell) => [
      `${cell.endpoint} × ${cell.user} on ${cell.owner}`,
      `${cell.expected} ${cell.observed.status ?? cell.outcome}${cell.otherTenant ? ' other tenant' : ''}`,
    ]),
  );

describe('tenants as groups (real Keycloak, real backend)', () => {
  it("a caller of the owner's tenant gets in, one of another tenant is refused, and such cells say so", async () => {
    const result = await checkMatrix({ spec: loadMatrixSpecSync(MATRIX), server: kcboxServer(), hostile: false });
    expect(failedCells(result)).toEqual([]);
    expect((result.peerCells ?? []).filter((cell) => !cell.pass)).toEqual([]);
    expect(result.incomplete).toEqual([]);
    expect(checkExitCode(result)).toBe(0);
    // 3 object endpoints × (4 callers × 3 owners − 3 own objects).
    expect(result.peerCells).toHaveLength(27);
    expect(peerGrid(result)).toMatchObject({
      // abe is in /acme/east: Keycloak has him in the tenant /acme, alice's.
      [`GET ${ITEM} × abe on alice`]: 'allow 200',
      [`PUT ${ITEM} × alice on abe`]: 'allow 200',
      [`DELETE ${ITEM} × abe on alice`]: 'allow 204',
      [`GET ${ITEM} × gina on alice`]: 'deny 404 other tenant',
      [`PUT ${ITEM} × abe on gina`]: 'deny 404 other tenant',
      [`DELETE ${ITEM} × gina on abe`]: 'deny 404 other tenant',
      [`GET ${ITEM} × anonymous on gina`]: 'deny 401',
    });
    expect(result.endpoints.find((endpoint) => endpoint.id === `PUT ${ITEM}`)?.ownership).toBe("owner's tenant");
  });

  it('FAULT=skip-tenant-check-on-put is flagged by exactly the cross-tenant peer cells of PUT', async () => {
    const result = await checkMatrix({
      spec: loadMatrixSpecSync(MATRIX),
      server: kcboxServer(),
      env: { ...process.env, FAULT: 'skip-tenant-check-on-put' },
      hostile: false,
    });
    // Role cells cannot see it, nor can peer cells within one tenant: alice may edit abe's item anyway.
    expect(failedCells(result)).toEqual([]);
    expect((result.peerCells ?? []).filter((cell) => !cell.pass).map(cellLabel)).toEqual([
      `PUT ${ITEM} × alice on gina's object (other tenant)`,
      `PUT ${ITEM} × abe on gina's object (other tenant)`,
      `PUT ${ITEM} × gina on alice's object (other tenant)`,
      `PUT ${ITEM} × gina on abe's object (other tenant)`,
    ]);
    expect(checkExitCode(result)).toBe(1);
    expect(result.peerCells?.find((cell) => !cell.pass)?.reason).toBe(
      "Keycloak grants alice the endpoint, but the object is gina's (tenant /globex) and alice is in /acme: the backend allowed it across tenants with 200",
    );
  });

  it('a user attribute as the tenant: read from Keycloak when no mapper puts it in the token', async () => {
    const text = readFileSync(MATRIX, 'utf8')
      .replace('tenants: {groups: [/acme, /globex]}', 'tenants: {attribute: org}')
      .replace('alice: {groups: [/acme]}', 'alice: {groups: [/acme], attributes: {org: acme}}')
      .replace('abe: {groups: [/acme/east]}', 'abe: {groups: [/acme/east], attributes: {org: acme}}')
      .replace('gina: {groups: [/globex, /staff]}', 'gina: {groups: [/globex, /staff], attributes: {org: globex}}');
    const result = await checkMatrix({
      spec: parseMatrixSpec(text, { file: 'specs/fixtures/tenants/by-attribute.yaml' }),
      server: kcboxServer(),
      env: { ...process.env, FAULT: 'skip-tenant-check-on-put' },
      hostile: false,
    });
    expect((result.peerCells ?? []).filter((cell) => !cell.pass).map(cellLabel)).toEqual([
      `PUT ${ITEM} × alice on gina's object (other tenant)`,
      `PUT ${ITEM} × abe on gina's object (other tenant)`,
      `PUT ${ITEM} × gina on alice's object (other tenant)`,
      `PUT ${ITEM} × gina on abe's object (other tenant)`,
    ]);
    expect(peerGrid(result)).toMatchObject({ [`GET ${ITEM} × abe on alice`]: 'allow 200' });
  });

  it('a tenant group the realm does not have is named at its line', async () => {
    const text = readFileSync(MATRIX, 'utf8').replace('tenants: {groups: [/acme, /globex]}', 'tenants: {groups: [/acme, /initech]}');
    const spec = parseMatrixSpec(text, { file: 'specs/fixtures/tenants/bad.yaml' });
    await expect(checkMatrix({ spec, server: kcboxServer(), hostile: false })).rejects.toThrow(
      /specs\/fixtures\/tenants\/bad\.yaml:19: setup\.tenants\.groups\[1\]: unknown group "\/initech" in realm "tenants-\w+" \(groups: \/acme, \/acme\/east, \/globex, \/staff\)/,
    );
  });
});
