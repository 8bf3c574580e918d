import { request } from 'undici';
import { keycloakDispatcher } from '../tls/trust.js';
import { describeError } from '../errors.js';
import type { StartedBackend } from '../matrix/backend-process.js';
import type { CellResult, IncompleteWork } from '../matrix/types.js';
import { realmEndpoints } from '../realm/realm-handle.js';

/** Cells the backend never answered, even on a fresh connection: no evidence either way. */
export function unansweredCells(cells: readonly CellResult[]): IncompleteWork[] {
  return cells
    .filter((cell) => cell.observed.kind !== 'answered')
    .map((cell) => ({ what: `${cell.endpoint} × ${cell.user}`, why: `no answer (${cell.observed.kind}): ${cell.observed.excerpt}` }));
}

/** A backend kcbox started that is gone before the check was done with it. */
export function backendGone(backend: StartedBackend | undefined): IncompleteWork[] {
  const exit = backend?.exitedEarly();
  return exit ? [{ what: 'the backend', why: `it exited during the check (${exit}); its last output is in the report` }] : [];
}

/** Keycloak no longer serving the check's realm: whatever ran after it went is not evidence. */
export async function keycloakGone(serverUrl: string, realm: string): Promise<IncompleteWork[]> {
  const { issuer } = realmEndpoints(serverUrl, realm);
  let seen: string;
  try {
    const response = await request(issuer, { dispatcher: keycloakDispatcher(), headersTimeout: 5_000, bodyTimeout: 5_000 });
    await response.body.dump();
    if (response.statusCode === 200) return [];
    seen = `HTTP ${response.statusCode} for ${issuer}`;
  } catch (error) {
    seen = `${issuer}: ${describeError(error)}`;
  }
  return [{ what: 'Keycloak', why: `it stopped serving the realm during the check (${seen})` }];
}
