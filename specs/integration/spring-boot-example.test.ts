import type { KeycloakConnection } from '../../harness/runtime/connection.js';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkMatrix } from '../../harness/check/check-matrix.js';
import { loadMatrixSpecSync } from '../../harness/matrix/spec-load.js';
import type { HostileResult } from '../../harness/hostile/result-types.js';
import { kcboxServer } from '../../harness/vitest/index.js';
import { failedCells, statusGrid } from '../support/cells.js';
import { optionalTool } from '../support/optional-tool.js';

const SPRING = 'examples/spring-boot/matrix.yaml';
const SPRING_ROLES = 'examples/spring-boot/matrix-roles.yaml';
const JAR = 'examples/spring-boot/target/spring-boot-inventory.jar';

// The matrix runs the built jar; building it takes Maven and a first download of Spring Boot, so say how.
const springBoot = optionalTool(
  `the Spring Boot example's jar (${JAR})`,
  () => existsSync(JAR),
  'mvn -q -B -f examples/spring-boot/pom.xml package -DskipTests (Maven and a JDK 17)',
);

const PROTECTED = ['GET /api/inventory', 'POST /api/inventory', 'PUT /api/inventory/1', 'DELETE /api/inventory/2'];

/**
 * What kcbox reports below the default threshold for this Spring Boot 3.5 resource server, each true of
 * Spring's defaults (examples/spring-boot/README.md says why): lenient base64url, no iat check, exp not
 * required, the first of two Authorization lines, and local validation that outlives a logout.
 */
const BELOW_THRESHOLD = [
  'disabled-user [advisory]',
  'dup-header [advisory]',
  'dup-header [policy]',
  'exp-missing [policy]',
  'format [policy]',
  'iat-future [policy]',
  'revoked-session [advisory]',
];

function server(): KeycloakConnection {
  const provided = kcboxServer();
  return { url: provided.url, adminCredentials: provided.adminCredentials };
}

/** Every kind of finding, `case [severity]`, once each, sorted. */
const findingKinds = (hostile: HostileResult) =>
  [...new Set(hostile.findings.map((finding) => `${finding.caseId} [${finding.severity}]`))].sort();

/** The blocking findings as `case · endpoint`, sorted. */
const blockingFindings = (hostile: HostileResult) =>
  hostile.findings
    .filter((finding) => finding.blocking)
    .map((finding) => `${finding.caseId} · ${finding.endpoint}`)
    .sort();

const variantsOf = (hostile: HostileResult, caseId: string, severity: string) =>
  new Set(
    hostile.findings.filter((finding) => finding.caseId === caseId && finding.severity === severity).map((finding) => finding.variant),
  );

describe.skipIf(!springBoot.available)(
  'the Spring Boot example (spring-boot-starter-oauth2-resource-server) against a real Keycloak',
  () => {
    it('enforces the matrix and refuses every hostile token at or above the threshold', async () => {
      const result = await checkMatrix({ spec: loadMatrixSpecSync(SPRING), server: server() });
      expect(failedCells(result)).toEqual([]);
      // Spring Security's own answers: 401 without a token (entry point), 403 with a token but not the role.
      expect(statusGrid(result)).toMatchObject({
        'GET /health × anonymous': 200,
        'GET /api/inventory × bob': 200,
        'GET /api/inventory × carol': 403,
        'GET /api/inventory × anonymous': 401,
        'POST /api/inventory × alice': 201,
        'POST /api/inventory × bob': 403,
        'PUT /api/inventory/1 × alice': 200,
        'DELETE /api/inventory/2 × carol': 403,
        'DELETE /api/inventory/2 × anonymous': 401,
      });
      const hostile = result.hostile!;
      expect(hostile.skipped).toEqual([]);
      expect(hostile.incomplete).toEqual([]);
      expect(hostile.endpoints).toEqual(PROTECTED);
      expect(hostile.blocking).toBe(0);
      expect(findingKinds(hostile)).toEqual(BELOW_THRESHOLD);
      // Exactly the lenient variants: Nimbus decodes padded and standard-alphabet base64 to the same signature,
      // and Tomcat's getHeader() hands Spring the first Authorization line.
      expect(variantsOf(hostile, 'format', 'policy')).toEqual(
        new Set(['signature with "=" padding', 'signature in the base64 alphabet ("+", "/")']),
      );
      expect(variantsOf(hostile, 'dup-header', 'policy')).toEqual(new Set(['valid line, then a garbage line']));
      expect(variantsOf(hostile, 'dup-header', 'advisory')).toEqual(new Set(['two lines with the valid token']));
      expect(hostile.listenerRequests).toEqual([]);
      // The control: "bearer" and "BEARER" got in everywhere.
      const schemeCase = hostile.attempts.filter((attempt) => attempt.caseId === 'scheme-case');
      expect(schemeCase.length).toBeGreaterThan(0);
      expect(schemeCase.every((attempt) => attempt.pass && attempt.observed.kind === 'answered')).toBe(true);
      // The aud and typ validators answer with Spring's 401 invalid_token, not a 403 of the role rules.
      for (const caseId of ['other-client', 'aud-other-client', 'id-token', 'typ-id', 'typ-refresh']) {
        const statuses = new Set(hostile.attempts.filter((attempt) => attempt.caseId === caseId).map((attempt) => attempt.observed.status));
        expect({ caseId, statuses }).toEqual({ caseId, statuses: new Set([401]) });
      }
      expect(result.passed).toBe(true);
      // One log line per request (the output keeps the last 100), and no token in it.
      expect(result.backendOutput).toMatch(/^(GET|POST|PUT|DELETE) \/api\/inventory(\/\d+)? \d{3}$/m);
      expect(JSON.stringify(result)).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    });

    it('a realm without Authorization Services: client roles, a realm role and OAuth scopes, users logged in through the login form', async () => {
      // Production settings: the login client has no direct access grants, so every token came from the code flow.
      const realmFile = JSON.parse(readFileSync('examples/spring-boot/roles-realm.json', 'utf8')) as {
        clients: Array<{ clientId: string; directAccessGrantsEnabled?: boolean; authorizationServicesEnabled?: boolean }>;
      };
      expect(realmFile.clients.find((client) => client.clientId === 'inventory-spa')?.directAccessGrantsEnabled).toBe(false);
      expect(realmFile.clients.some((client) => client.authorizationServicesEnabled)).toBe(false);

      const result = await checkMatrix({ spec: loadMatrixSpecSync(SPRING_ROLES), server: server() });
      expect(failedCells(result)).toEqual([]);
      expect(result.endpoints.map((endpoint) => endpoint.requirement)).toEqual([
        'public',
        'any of (role inventory-api/inventory-admin; role inventory-api/inventory-user)',
        'role inventory-api/inventory-admin',
        'role inventory-api/inventory-admin',
        'OAuth scope reports:read',
        'OAuth scope reports:write',
        'realm role auditor',
      ]);
      // Keycloak's tokens decide: bob's scope claim has reports:read (his realm role report-reader is mapped to
      // that client scope), alice's both scopes and the auditor realm role, carol's neither.
      expect(statusGrid(result)).toMatchObject({
        'GET /api/inventory × bob': 200,
        'GET /api/inventory × carol': 403,
        'POST /api/inventory × bob': 403,
        'DELETE /api/inventory/2 × alice': 204,
        'GET /api/reports × alice': 200,
        'GET /api/reports × bob': 200,
        'GET /api/reports × carol': 403,
        'GET /api/reports × anonymous': 401,
        'POST /api/reports × alice': 201,
        'POST /api/reports × bob': 403,
        'GET /api/audit × alice': 200,
        'GET /api/audit × bob': 403,
        'GET /api/audit × anonymous': 401,
      });
      // The hostile suite's genuine tokens (ID, refresh, a logged-out session, a disabled user) came through the form too.
      const hostile = result.hostile!;
      expect(hostile.skipped).toEqual([]);
      expect(hostile.incomplete).toEqual([]);
      expect(hostile.blocking).toBe(0);
      expect(findingKinds(hostile)).toEqual(BELOW_THRESHOLD);
      expect(result.passed).toBe(true);
    });

    it('a DELETE rule that only requires authentication fails on exactly the cells Keycloak denies', async () => {
      const result = await checkMatrix({
        spec: loadMatrixSpecSync(SPRING),
        server: server(),
        env: { ...process.env, FAULT: 'skip-delete-role' },
        hostile: false,
      });
      expect(result.passed).toBe(false);
      expect(failedCells(result)).toEqual(['DELETE /api/inventory/2 × bob', 'DELETE /api/inventory/2 × carol']);
      expect(result.cells.find((cell) => cell.endpoint === 'DELETE /api/inventory/2' && cell.user === 'bob')?.reason).toMatch(
        /Keycloak does not grant this, but the backend allowed/,
      );
      // Still authentication: anonymous gets Spring's 401.
      expect(statusGrid(result)['DELETE /api/inventory/2 × anonymous']).toBe(401);
    });

    it('without the audience validator, only the tokens of other clients get in (below the default threshold)', async () => {
      const result = await checkMatrix({
        spec: loadMatrixSpecSync(SPRING),
        server: server(),
        env: { ...process.env, FAULT: 'skip-audience-check' },
      });
      // Only a realm-key holder could make a token for another client that keeps the API's roles
      // (Keycloak's audience resolution adds the API to such tokens): a policy finding, everywhere.
      expect(result.passed).toBe(true);
      expect(failedCells(result)).toEqual([]);
      const hostile = result.hostile!;
      expect(blockingFindings(hostile)).toEqual([]);
      expect(
        new Set(hostile.findings.filter((finding) => finding.caseId === 'aud-other-client').map((finding) => finding.endpoint)),
      ).toEqual(new Set(PROTECTED));
      // Keycloak's real token for another client carries no roles of the API: authenticated, then refused with
      // 403 by the role rules instead of 401 — a note, since it got past authentication.
      expect(findingKinds(hostile)).toEqual([...BELOW_THRESHOLD, 'aud-other-client [policy]', 'other-client [advisory]'].sort());
      expect(new Set(hostile.findings.filter((finding) => finding.caseId === 'other-client').map((finding) => finding.status))).toEqual(
        new Set([403]),
      );
      // The typ validator still stops ID tokens, whose aud is the client that logged in.
      expect(hostile.attempts.filter((attempt) => attempt.caseId === 'id-token').every((attempt) => attempt.pass)).toBe(true);
    });

    it('without the typ validator, realm-signed tokens of another type get in (below the default threshold)', async () => {
      const result = await checkMatrix({
        spec: loadMatrixSpecSync(SPRING),
        server: server(),
        env: { ...process.env, FAULT: 'skip-typ-check' },
      });
      expect(result.passed).toBe(true);
      expect(failedCells(result)).toEqual([]);
      const hostile = result.hostile!;
      expect(blockingFindings(hostile)).toEqual([]);
      expect(findingKinds(hostile)).toEqual([...BELOW_THRESHOLD, 'typ-id [policy]', 'typ-refresh [policy]'].sort());
      // Keycloak's real ID and refresh tokens stay out: the audience (ID token) and RS256 with the JWKS (refresh token).
      expect(
        hostile.attempts
          .filter((attempt) => attempt.caseId === 'id-token' || attempt.caseId === 'refresh-token')
          .every((attempt) => attempt.pass),
      ).toBe(true);
    });
  },
);
