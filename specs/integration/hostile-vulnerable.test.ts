import type { KeycloakConnection } from '../../harness/runtime/connection.js';
import pLimit from 'p-limit';
import { describe, it } from 'vitest';
import { hostileCase } from '../../harness/hostile/catalog.js';
import { HOSTILE_CASE_IDS, type HostileCaseId, type Severity } from '../../harness/hostile/types.js';
import { checkMatrix } from '../../harness/check/check-matrix.js';
import { loadMatrixSpecSync } from '../../harness/matrix/spec-load.js';
import type { MatrixResult } from '../../harness/check/result-types.js';
import { kcboxServer } from '../../harness/vitest/index.js';

/*
 * The hostile-token suite against a backend with one bug at a time (specs/fixtures/vulnerable-backend):
 * every run is the full suite, so "flags exactly that case" also proves "and nothing else".
 */

const MATRIX = 'specs/fixtures/vulnerable-backend/matrix.yaml';

/** JWT-only validation accepts these until the token expires; only introspection (INTROSPECT=1) refuses them. */
const ADVISORY: readonly HostileCaseId[] = ['revoked-session', 'disabled-user'];

interface Vulnerability {
  readonly vuln: HostileCaseId;
  /** The cases the suite must flag, besides the advisory pair. */
  readonly flags: readonly HostileCaseId[];
  /** The severities of those findings, when they are not the catalog's. */
  readonly severities?: readonly Severity[];
}

const VULNERABILITIES: readonly Vulnerability[] = HOSTILE_CASE_IDS.filter((id) => !ADVISORY.includes(id)).map((vuln): Vulnerability => {
  switch (vuln) {
    // A signature that fails under the realm's key looks the same whether kcbox's key or a bit flip
    // made it: the foreign-key token has sig-corrupt's header and claims, and a backend that does not
    // hold kcbox's public key cannot tell the two apart. Trusting one (here: failures only logged)
    // trusts the other, and the tampered payload under the realm kid as well.
    case 'foreign-key':
      return { vuln, flags: ['sig-corrupt', 'payload-tamper', 'foreign-key'] };
    // ID tokens of the frontend are let in: the real one carries none of the API's client roles, so
    // authorization answers 403 where 401 is conventional (a note); the re-signed typ "ID" token that
    // keeps the user's roles gets all the way in (policy: only a realm-key holder could make it).
    case 'id-token':
      return { vuln, flags: ['typ-id', 'id-token'], severities: ['policy', 'advisory'] };
    // Keys and issuer taken from the token's iss: a sibling iss signed with this realm's key passes too.
    case 'other-realm':
      return { vuln, flags: ['iss-other-realm', 'other-realm'], severities: ['policy', 'critical'] };
    // One bug, two cases: without an audience check the real token of another client gets as far
    // as the role check (403, a note), and the re-signed one that keeps the user's roles gets in.
    case 'other-client':
    case 'aud-other-client':
      return { vuln, flags: ['aud-other-client', 'other-client'], severities: ['policy', 'advisory'] };
    // The last of several lines is used: the valid-then-garbage variant is refused, garbage-then-valid
    // gets in (policy), and two identical valid lines get in too (advisory: nothing to disagree about).
    case 'dup-header':
      return { vuln, flags: [vuln], severities: ['advisory', 'policy'] };
    default:
      return { vuln, flags: [vuln] };
  }
});

function server(): KeycloakConnection {
  const provided = kcboxServer();
  return { url: provided.url, adminCredentials: provided.adminCredentials };
}

// Each check imports two realms and starts a backend: three at a time keep a two-core machine busy.
const limit = pLimit(3);
/** A test's time includes its wait for a slot (vitest starts five concurrent tests at once). */
const TIMEOUT_MS = 300_000;

function check(env: { VULN?: string; INTROSPECT?: string }): Promise<MatrixResult> {
  const spec = loadMatrixSpecSync(MATRIX);
  return limit(() => checkMatrix({ spec, server: server(), env: { ...process.env, VULN: '', INTROSPECT: '', ...env } }));
}

/** Distinct case ids of the findings, in catalog order. */
function flagged(result: MatrixResult): HostileCaseId[] {
  const ids = new Set(result.hostile?.findings.map((finding) => finding.caseId));
  return HOSTILE_CASE_IDS.filter((id) => ids.has(id));
}

/** What must hold for every run: the matrix itself passes and every case was forged and sent. */
function sound(result: MatrixResult) {
  return {
    failedCells: result.cells.filter((cell) => !cell.pass).map((cell) => `${cell.endpoint} × ${cell.user}: ${cell.reason}`),
    skipped: result.hostile?.skipped ?? 'no hostile run',
    attacked: result.hostile?.endpoints,
  };
}
const SOUND = { failedCells: [], skipped: [], attacked: ['GET /api/inventory'] };

const inCatalogOrder = (ids: readonly HostileCaseId[]) => HOSTILE_CASE_IDS.filter((id) => ids.includes(id));

describe.concurrent('the hostile suite against a backend with one vulnerability at a time', () => {
  it('covers every case but the advisory pair with a VULN', ({ expect }) => {
    expect(VULNERABILITIES.map((entry) => entry.vuln)).toEqual(HOSTILE_CASE_IDS.filter((id) => !ADVISORY.includes(id)));
  });

  it(
    'strict, JWT-only: only the advisory revoked-session and disabled-user, not blocking',
    async ({ expect }) => {
      const result = await check({});
      expect(sound(result)).toEqual(SOUND);
      expect(flagged(result)).toEqual(ADVISORY);
      expect(result.hostile?.findings.every((finding) => finding.severity === 'advisory' && !finding.blocking)).toBe(true);
      expect(result.hostile?.listenerRequests).toEqual([]);
      expect(result.passed).toBe(true);
    },
    TIMEOUT_MS,
  );

  it(
    'strict with INTROSPECT=1: no finding at all',
    async ({ expect }) => {
      const result = await check({ INTROSPECT: '1' });
      expect(sound(result)).toEqual(SOUND);
      expect(result.hostile?.findings).toEqual([]);
      expect(result.hostile?.listenerRequests).toEqual([]);
      expect(result.passed).toBe(true);
    },
    TIMEOUT_MS,
  );

  for (const { vuln, flags, severities: expectedSeverities } of VULNERABILITIES) {
    it(
      `VULN=${vuln} flags ${flags.join(', ')} and nothing else`,
      async ({ expect }) => {
        const result = await check({ VULN: vuln });
        expect(sound(result)).toEqual(SOUND);
        expect(flagged(result)).toEqual(inCatalogOrder([...flags, ...ADVISORY]));
        const severities = new Set(
          result.hostile?.findings.filter((finding) => flags.includes(finding.caseId)).map((finding) => finding.severity),
        );
        expect([...severities].sort()).toEqual([...new Set(expectedSeverities ?? flags.map((id) => hostileCase(id)?.severity))].sort());
        const listener = result.hostile?.listenerRequests ?? [];
        if (vuln === 'jku' || vuln === 'x5u') {
          expect(listener.length).toBeGreaterThan(0);
          expect(listener.every((line) => line.startsWith(`GET /${vuln}/`))).toBe(true);
          expect(result.hostile?.findings).toContainEqual(expect.objectContaining({ caseId: vuln, endpoint: '(listener)' }));
        } else {
          expect(listener).toEqual([]);
        }
      },
      TIMEOUT_MS,
    );
  }
});
