import { beforeAll, describe, expect, it } from 'vitest';
import { type CheckMatrixOptions, checkMatrix } from '../check/check-matrix.js';
import { connectionOf, type KeycloakConnection } from '../runtime/connection.js';
import { loadMatrixSpecSync, parseMatrixSpec } from '../matrix/spec-load.js';
import type { CellResult, MatrixSpec } from '../matrix/types.js';
import type { MatrixResult } from '../check/result-types.js';
import { cellLabel } from '../report/matrix-facts.js';
import { renderMatrixText } from '../report/terminal-grid.js';
import { HOSTILE_CASE_IDS } from '../hostile/types.js';
import { kcboxServer } from './provided-server.js';

/** A matrix file path, a spec object as a matrix file would hold it, or a spec already loaded. */
export type MatrixSpecInput = string | MatrixSpec | Record<string, unknown>;

export interface MatrixTestOptions extends Pick<CheckMatrixOptions, 'concurrency' | 'env' | 'hostile'> {
  /** Default: the server of kcboxGlobalSetup(). */
  readonly server?: KeycloakConnection;
}

function isLoaded(spec: MatrixSpecInput): spec is MatrixSpec {
  return typeof spec === 'object' && 'requestTimeoutMs' in spec && 'userSources' in spec;
}

/** Validates the spec now (synchronously), so a bad file fails at collection with its line numbers. */
export function resolveMatrixSpec(spec: MatrixSpecInput): MatrixSpec {
  if (typeof spec === 'string') return loadMatrixSpecSync(spec);
  return isLoaded(spec) ? spec : parseMatrixSpec(spec);
}

function providedServer(): KeycloakConnection {
  return connectionOf(kcboxServer());
}

function describeCell(cell: CellResult): string {
  const status = cell.observed.status === undefined ? cell.outcome : `${cell.observed.status} (${cell.outcome})`;
  return `${cellLabel(cell)}: ${cell.reason}\n  expected ${cell.expected}, got ${status}\n  response: ${cell.observed.excerpt.slice(0, 300).replace(/\s+/g, ' ')}`;
}

expect.extend({
  /**
   * `await expect(backendUrl).toEnforceMatrix(spec)`: passes when every cell matches Keycloak's
   * decisions, the spec's expectations agree with the realm, and (unless `hostile: false`) the
   * hostile-token suite has no finding at or above its threshold. Pass `undefined` as the URL to
   * let kcbox start the spec's backend command.
   */
  async toEnforceMatrix(received: unknown, spec: MatrixSpecInput, options: MatrixTestOptions = {}) {
    if (received !== undefined && typeof received !== 'string') {
      throw new TypeError(`toEnforceMatrix: expected the backend's base URL (a string) or undefined, got ${typeof received}.`);
    }
    const result = await checkMatrix({
      spec: resolveMatrixSpec(spec),
      server: options.server ?? providedServer(),
      backendUrl: received,
      concurrency: options.concurrency,
      env: options.env,
      hostile: options.hostile,
    });
    const failed = [...result.cells, ...(result.peerCells ?? [])].filter((cell) => !cell.pass);
    return {
      pass: result.passed,
      message: () =>
        result.passed
          ? `expected the backend at ${result.spec.backendUrl} not to enforce the matrix, but every cell matched`
          : `the backend at ${result.spec.backendUrl} does not enforce the matrix:\n${renderMatrixText(result, { color: false })}`,
      actual: [
        ...failed.map((cell) => `${cellLabel(cell)}: ${cell.observed.status ?? cell.outcome}`),
        ...result.realmFindings.map((finding) => `${finding.endpoint} × ${finding.user}: spec says ${finding.declared}`),
        ...(result.hostile?.findings
          .filter((finding) => finding.blocking)
          .map((finding) => `hostile ${finding.caseId} · ${finding.endpoint}: ${finding.status ?? 'no status'}`) ?? []),
        ...result.incomplete.map((work) => `not checked: ${work.what}: ${work.why}`),
        ...(result.coverage?.uncovered.map((operation) => `OpenAPI ${operation}: no matrix entry`) ?? []),
      ],
      expected: [
        ...failed.map((cell) => `${cellLabel(cell)}: ${cell.expected}`),
        ...result.realmFindings.map((finding) => `${finding.endpoint} × ${finding.user}: Keycloak says ${finding.keycloak}`),
        ...(result.hostile?.findings
          .filter((finding) => finding.blocking)
          .map((finding) => `hostile ${finding.caseId} · ${finding.endpoint}: refused`) ?? []),
        ...result.incomplete.map((work) => `checked: ${work.what}`),
        ...(result.coverage?.uncovered.map((operation) => `OpenAPI ${operation}: covered or skipped`) ?? []),
      ],
    };
  },
});

/**
 * Declares one test per matrix cell (`GET /api/inventory × bob`), one per hostile-token case
 * (failing on findings at the threshold, skipped when the case cannot be forged here), and one for
 * the realm's agreement with the spec's explicit expectations, one for the coverage gate when the
 * spec has an OpenAPI document, so failures show one by one. The check runs once, before the first
 * of them.
 *
 * @example
 * describeMatrix('examples/express-inventory/matrix.yaml');
 */
export function describeMatrix(spec: MatrixSpecInput, options: MatrixTestOptions & { readonly backendUrl?: string } = {}): void {
  const resolved = resolveMatrixSpec(spec);
  describe(`scope matrix${resolved.file ? ` ${resolved.file}` : ''}`, () => {
    let result: MatrixResult | undefined;
    // Own timeout: a backend start plus the hostile suite outlasts vitest's 10 s hook default.
    beforeAll(async () => {
      result = await checkMatrix({
        spec: resolved,
        server: options.server ?? providedServer(),
        backendUrl: options.backendUrl,
        concurrency: options.concurrency,
        env: options.env,
        hostile: options.hostile,
      });
    }, resolved.backend.readyTimeoutMs + 180_000);
    const resultOf = () => {
      if (!result) throw new Error('the matrix did not run: see the error of the hook above');
      return result;
    };
    for (const endpoint of resolved.endpoints) {
      // An object endpoint has a cell per caller and owner: the caller's own object, and every peer's.
      const owners: ReadonlyArray<string | undefined> = endpoint.owner ? (resolved.setup?.owners ?? []) : [undefined];
      for (const user of resolved.users) {
        for (const owner of owners) {
          const label = cellLabel({ endpoint: endpoint.id, user, owner });
          it(label, () => {
            const { cells, peerCells = [] } = resultOf();
            const cell = [...cells, ...peerCells].find(
              (candidate) => candidate.endpoint === endpoint.id && candidate.user === user && candidate.owner === owner,
            );
            if (!cell) throw new Error(`no result for ${label}`);
            if (!cell.pass) expect.fail(describeCell(cell));
          });
        }
      }
    }
    if (options.hostile !== false) {
      const ids = options.hostile?.cases?.length
        ? HOSTILE_CASE_IDS.filter((id) => options.hostile && options.hostile.cases?.includes(id))
        : HOSTILE_CASE_IDS;
      for (const id of ids) {
        it(`hostile token: ${id}`, (context) => {
          const hostile = resultOf().hostile;
          const skipped = hostile?.skipped.find((entry) => entry.id === id);
          if (!hostile || skipped) return context.skip(skipped?.reason ?? 'the hostile suite did not run');
          const blocking = hostile.findings.filter((finding) => finding.caseId === id && finding.blocking);
          if (blocking.length > 0) {
            expect.fail(
              blocking
                .map(
                  (finding) => `[${finding.severity}] ${finding.endpoint} · ${finding.variant}: ${finding.reason}\n  fix: ${finding.fix}`,
                )
                .join('\n'),
            );
          }
        });
      }
    }
    if (resolved.openapi) {
      it('every OpenAPI operation has a matrix entry or a skip', () => {
        const uncovered = resultOf().coverage?.uncovered ?? [];
        if (uncovered.length > 0) expect.fail(`no matrix entry and no openapi.skip: ${uncovered.join(', ')}`);
      });
    }
    it('everything could be checked (Keycloak, the backend and the machine held)', () => {
      const incomplete = resultOf().incomplete;
      if (incomplete.length > 0) expect.fail(incomplete.map((work) => `not checked: ${work.what}: ${work.why}`).join('\n'));
    });
    if (resolved.endpoints.some((endpoint) => Object.keys(endpoint.expect).length > 0)) {
      it("the spec's expectations agree with Keycloak", () => {
        const findings = resultOf().realmFindings;
        if (findings.length > 0) {
          expect.fail(
            findings
              .map(
                (finding) =>
                  `${finding.endpoint} × ${finding.user}: spec says ${finding.declared}, Keycloak says ${finding.keycloak} (${finding.permission})`,
              )
              .join('\n'),
          );
        }
      });
    }
  });
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- must match vitest's declaration
  interface Matchers<T = any> {
    /** Checks the backend at the received URL against a scope matrix (see describeMatrix). */
    toEnforceMatrix(spec: MatrixSpecInput, options?: MatrixTestOptions): Promise<T>;
  }
}
