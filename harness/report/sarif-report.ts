/**
 * The result as a SARIF 2.1.0 log, for code-scanning pages (GitHub, GitLab, IDE viewers): each
 * failed cell, realm finding and hostile finding is a result, located at the line of the matrix
 * file that declares the endpoint; what could not be checked is a tool execution notification.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EndpointSummary, MatrixResult } from '../check/result-types.js';
import { hostileCase } from '../hostile/catalog.js';
import type { HostileFinding } from '../hostile/result-types.js';
import type { HostileCaseId, Severity } from '../hostile/types.js';
import type { CellResult, RealmFinding, SourceLocation } from '../matrix/types.js';
import type { OpenApiCoverage } from '../openapi/coverage.js';
import { kcboxVersion } from '../package-info.js';
import { LISTENER_ENDPOINT, gotLabel, hostileRows, orderedFindings } from './hostile-facts.js';
import {
  NOT_CHECKED_NOTE,
  UNCOVERED_NOTE,
  VERDICT_LABEL,
  cellLabel,
  countMatrix,
  expectedLabel,
  failedCells,
  failedPeerCells,
  failureReason,
  notChecked,
  observedLabel,
  oneLine,
  summaryLine,
  verdictOf,
} from './matrix-facts.js';

/** SARIF's own levels. */
export type SarifLevel = 'error' | 'warning' | 'note' | 'none';

/** How a hostile severity reads in SARIF: bypasses are errors, policy deviations warnings, advisories notes. */
export const SARIF_LEVEL: Readonly<Record<Severity, SarifLevel>> = {
  critical: 'error',
  high: 'error',
  policy: 'warning',
  advisory: 'note',
};

/**
 * GitHub's `security-severity` score per severity (critical ≥ 9, high 7–8.9, medium 4–6.9, low
 * below 4), so code scanning ranks the alerts as kcbox does.
 */
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = { critical: '9.5', high: '8.0', policy: '5.0', advisory: '2.0' };

/** The rule of a failed cell. */
export const MATRIX_CELL_RULE = 'kcbox/matrix/cell';
/** The rule of a failed peer cell: a caller on another owner's object (broken object-level authorization). */
export const PEER_CELL_RULE = 'kcbox/matrix/peer-cell';
/** The rule of a realm finding (the spec's expectation disagrees with Keycloak). */
export const REALM_FINDING_RULE = 'kcbox/matrix/realm-finding';
export const UNCOVERED_OPERATION_RULE = 'kcbox/openapi/uncovered-operation';
/** The rule of a hostile case, e.g. `kcbox/hostile/none`. */
export const hostileRuleId = (id: HostileCaseId): string => `kcbox/hostile/${id}`;
/** The notification descriptor of something that could not be checked. */
const NOT_CHECKED_NOTIFICATION = 'kcbox/not-checked';

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const SOURCE_ROOT = '%SRCROOT%';

// The few SARIF shapes this log uses (SARIF 2.1.0, §3).
interface Message {
  readonly text: string;
  readonly markdown?: string;
}
interface ArtifactLocation {
  readonly uri: string;
  readonly uriBaseId?: string;
}
interface Location {
  readonly physicalLocation?: { readonly artifactLocation: ArtifactLocation; readonly region?: { readonly startLine: number } };
  readonly logicalLocations?: ReadonlyArray<{ readonly name: string; readonly fullyQualifiedName: string; readonly kind: string }>;
}
interface ReportingDescriptor {
  readonly id: string;
  readonly name: string;
  readonly shortDescription: Message;
  readonly fullDescription: Message;
  readonly help: Message;
  readonly defaultConfiguration: { readonly level: SarifLevel };
  readonly properties: Readonly<Record<string, unknown>>;
}
interface SarifResult {
  readonly ruleId: string;
  readonly ruleIndex: number;
  readonly kind: 'fail';
  readonly level: SarifLevel;
  readonly message: Message;
  readonly locations: readonly Location[];
  readonly partialFingerprints: Readonly<Record<string, string>>;
  readonly properties: Readonly<Record<string, unknown>>;
}
interface Notification {
  readonly level: SarifLevel;
  readonly message: Message;
  readonly descriptor: { readonly id: string; readonly index: number };
  readonly properties: Readonly<Record<string, unknown>>;
}

/** A SARIF 2.1.0 log with kcbox's single run. */
export interface SarifLog {
  readonly $schema: string;
  readonly version: '2.1.0';
  readonly runs: ReadonlyArray<{
    readonly tool: {
      readonly driver: {
        readonly name: string;
        readonly version: string;
        readonly semanticVersion: string;
        readonly rules: readonly ReportingDescriptor[];
        readonly notifications: readonly ReportingDescriptor[];
      };
    };
    readonly invocations: ReadonlyArray<{
      readonly executionSuccessful: boolean;
      readonly startTimeUtc: string;
      readonly endTimeUtc: string;
      readonly toolExecutionNotifications: readonly Notification[];
    }>;
    readonly originalUriBaseIds: Readonly<Record<string, { readonly uri: string }>>;
    readonly results: readonly SarifResult[];
    readonly columnKind: 'utf16CodeUnits';
    readonly properties: Readonly<Record<string, unknown>>;
  }>;
}

export interface SarifOptions {
  /**
   * The folder locations are relative to (`%SRCROOT%`), normally the repository root. Default:
   * the current folder, where CI runs `kcbox check`. Files outside it are given as `file:` URIs.
   */
  readonly root?: string | undefined;
}

/** A relative path as a URI reference: forward slashes, every segment percent-encoded. */
const uriOf = (path: string) => path.split(sep).map(encodeURIComponent).join('/');

function artifactLocation(file: string, root: string): ArtifactLocation {
  const absolute = resolve(root, file);
  const inside = relative(root, absolute);
  if (inside && !inside.startsWith('..') && !isAbsolute(inside)) return { uri: uriOf(inside), uriBaseId: SOURCE_ROOT };
  return { uri: pathToFileURL(absolute).href };
}

/** A stable identity for a result, so code scanning tracks it across runs and keeps results of one line apart. */
const fingerprint = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);

/** `PascalCase` of an id, for a rule's `name`: `sig-strip` → `SigStrip`. */
const pascal = (id: string) =>
  id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');

/** The matrix's own rules; the coverage gate's only when the matrix has an OpenAPI document. */
function matrixRules(coverage: boolean): ReportingDescriptor[] {
  const rules: ReportingDescriptor[] = [
    {
      id: MATRIX_CELL_RULE,
      name: 'MatrixCellMismatch',
      shortDescription: { text: "The backend does not enforce Keycloak's decision for an endpoint and user." },
      fullDescription: {
        text: "kcbox called the endpoint with the user's real token and the backend answered otherwise than Keycloak decided: access Keycloak denies, a denial Keycloak does not make, a denial with a status the spec does not accept, or a 5xx.",
      },
      help: {
        text: 'Make the endpoint check the permission the matrix names (Resource#scope) against the token, and answer 401 without a token and 403 without the permission (or the statuses the spec accepts).',
      },
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['authorization', 'contract'], precision: 'very-high', blocking: true },
    },
    {
      id: REALM_FINDING_RULE,
      name: 'MatrixRealmFinding',
      shortDescription: { text: "The spec's explicit expectation disagrees with Keycloak's decision." },
      fullDescription: {
        text: "An endpoint's `expect:` entry declares allow or deny for a user, and Keycloak's policy decision for that user's token says the opposite: the realm's policies or the spec are wrong.",
      },
      help: { text: "Fix the realm's policies, or the expectation in the matrix file, so that both say the same." },
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['authorization', 'configuration'], precision: 'very-high', blocking: true },
    },
    {
      id: PEER_CELL_RULE,
      name: 'MatrixPeerCellMismatch',
      shortDescription: {
        text: "The backend does not enforce an object's ownership: a caller reached another owner's object, or was refused its own right.",
      },
      fullDescription: {
        text: "kcbox created objects as each owner (the matrix's setup steps) and called the object endpoint on them with another caller's real token; the backend answered otherwise than Keycloak's decision for the endpoint narrowed by its ownership rule. Allowing it is broken object-level authorization (OWASP API1).",
      },
      help: {
        text: "Check the object's owner (e.g. the token's sub) on every route that takes an object id, not only the endpoint's role or scope; let only the callers the ownership rule names through.",
      },
      defaultConfiguration: { level: 'error' },
      properties: {
        tags: ['authorization', 'contract', 'security', 'CWE-639'],
        precision: 'very-high',
        blocking: true,
        'security-severity': SECURITY_SEVERITY.high,
      },
    },
  ];
  if (coverage)
    rules.push({
      id: UNCOVERED_OPERATION_RULE,
      name: 'OpenApiOperationUncovered',
      shortDescription: { text: 'An operation of the OpenAPI document has no matrix entry.' },
      fullDescription: {
        text: 'The coverage gate: the matrix names an OpenAPI document, and no matrix entry calls this operation, so nobody checks who may call it.',
      },
      help: {
        text: 'Add a matrix entry that calls the operation (kcbox init writes one per operation), or list it under openapi.skip with a reason.',
      },
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['authorization', 'coverage'], precision: 'very-high', blocking: true },
    });
  return rules;
}

function hostileRule(id: HostileCaseId, fallback: { title: string; severity: Severity }): ReportingDescriptor {
  const entry = hostileCase(id);
  const severity = entry?.severity ?? fallback.severity;
  const title = entry?.title ?? fallback.title;
  const help = entry ? `Fix: ${entry.fix}\nReference: ${entry.reference}` : 'See the kcbox hostile-token catalog.';
  return {
    id: hostileRuleId(id),
    name: `HostileToken${pascal(id)}`,
    shortDescription: { text: title },
    fullDescription: {
      text: `${title}. ${entry?.control ? 'A control: the backend must accept it.' : 'The backend must refuse it.'}${entry ? ` Exploitable by: ${entry.exploitableBy}.` : ''}`,
    },
    help: { text: help },
    defaultConfiguration: { level: SARIF_LEVEL[severity] },
    properties: {
      tags: ['security', 'jwt', ...(entry ? [entry.category] : [])],
      precision: 'very-high',
      'security-severity': SECURITY_SEVERITY[severity],
      severity,
      control: entry?.control ?? false,
      ...(entry ? { reference: entry.reference } : {}),
    },
  };
}

/** Builds the log; every result's location comes from the endpoint's `source` in the result. */
class SarifBuilder {
  readonly rules: ReportingDescriptor[];
  readonly results: SarifResult[] = [];
  private readonly endpoints: ReadonlyMap<string, EndpointSummary>;

  constructor(
    private readonly result: MatrixResult,
    private readonly root: string,
  ) {
    this.rules = matrixRules(result.coverage !== undefined);
    this.endpoints = new Map(result.endpoints.map((endpoint) => [endpoint.id, endpoint]));
    for (const row of result.hostile ? hostileRows(result.hostile) : []) this.ruleIndex(row.id, row);
  }

  /** The index of a hostile case's rule, adding the rule the first time. */
  ruleIndex(id: HostileCaseId, fallback: { title: string; severity: Severity }): number {
    const ruleId = hostileRuleId(id);
    const index = this.rules.findIndex((rule) => rule.id === ruleId);
    if (index >= 0) return index;
    this.rules.push(hostileRule(id, fallback));
    return this.rules.length - 1;
  }

  /** The matrix file line that declares the endpoint (or `source`), and the endpoint as a logical location. */
  location(endpoint: string, source?: SourceLocation): Location {
    const where = source ?? this.endpoints.get(endpoint)?.source;
    // A spec given as an object has no file: `<spec>` is a name, not a path.
    const file = where && where.file !== '<spec>' ? where.file : this.result.spec.file;
    const logical = { logicalLocations: [{ name: endpoint, fullyQualifiedName: endpoint, kind: 'resource' }] };
    if (!file) return logical;
    const region = where && where.file === file ? { region: { startLine: Math.max(1, where.line) } } : {};
    return { physicalLocation: { artifactLocation: artifactLocation(file, this.root), ...region }, ...logical };
  }

  add(ruleId: string, level: SarifLevel, text: string, location: Location, identity: string[], properties: Record<string, unknown>) {
    const id = fingerprint(ruleId, ...identity);
    this.results.push({
      ruleId,
      ruleIndex: this.rules.findIndex((rule) => rule.id === ruleId),
      kind: 'fail',
      level,
      message: { text },
      locations: [location],
      partialFingerprints: { 'kcbox/v1': id, primaryLocationLineHash: id },
      properties,
    });
  }

  cell(cell: CellResult, rule = MATRIX_CELL_RULE): void {
    const reason = cell.reason ? ` ${cell.reason}` : '';
    const excerpt = oneLine(cell.observed.excerpt);
    this.add(
      rule,
      'error',
      `${cellLabel(cell)}: expected ${expectedLabel(cell)}, got ${observedLabel(cell)}.${reason || ` ${failureReason(cell)}`}`,
      this.location(cell.endpoint),
      [cell.endpoint, cell.user, ...(cell.owner !== undefined && cell.owner !== cell.user ? [cell.owner] : [])],
      {
        blocking: true,
        endpoint: cell.endpoint,
        user: cell.user,
        ...(cell.owner !== undefined ? { owner: cell.owner } : {}),
        expected: cell.expected,
        acceptedDenyStatuses: cell.acceptedDenyStatuses,
        outcome: cell.outcome,
        ...(cell.observed.status !== undefined ? { status: cell.observed.status } : {}),
        ...(excerpt ? { responseExcerpt: excerpt } : {}),
      },
    );
  }

  realmFinding(finding: RealmFinding): void {
    this.add(
      REALM_FINDING_RULE,
      'error',
      `${finding.endpoint} × ${finding.user} (${finding.permission}): the spec declares ${finding.declared}, Keycloak says ${finding.keycloak}.`,
      this.location(finding.endpoint, finding.source),
      [finding.endpoint, finding.user, finding.permission],
      {
        blocking: true,
        endpoint: finding.endpoint,
        user: finding.user,
        permission: finding.permission,
        declared: finding.declared,
        keycloak: finding.keycloak,
      },
    );
  }

  uncoveredOperation(operation: string, coverage: OpenApiCoverage): void {
    const location: Location = {
      physicalLocation: { artifactLocation: artifactLocation(coverage.file, this.root) },
      logicalLocations: [{ name: operation, fullyQualifiedName: operation, kind: 'resource' }],
    };
    this.add(
      UNCOVERED_OPERATION_RULE,
      'error',
      `${operation} (${coverage.file}): no matrix entry calls this operation. ${UNCOVERED_NOTE}`,
      location,
      [coverage.file, operation],
      { blocking: true, operation },
    );
  }

  hostileFinding(finding: HostileFinding, failOn: Severity): void {
    const ruleId = hostileRuleId(finding.caseId);
    this.ruleIndex(finding.caseId, finding);
    // A request the listener received names no endpoint: it is placed at the endpoint the forgery went to.
    const sentTo =
      finding.endpoint === LISTENER_ENDPOINT
        ? (this.result.hostile?.attempts.find((attempt) => attempt.caseId === finding.caseId && attempt.variant === finding.variant)
            ?.endpoint ?? finding.endpoint)
        : finding.endpoint;
    const weight = finding.blocking
      ? `Blocking: ${finding.severity} is at or above the threshold ${failOn}.`
      : `Below the threshold ${failOn}: reported, does not fail the check.`;
    const excerpt = oneLine(finding.excerpt);
    this.add(
      ruleId,
      SARIF_LEVEL[finding.severity],
      `${finding.caseId} on ${finding.endpoint} (${finding.severity}), ${finding.variant}: ${gotLabel(finding)}. ${finding.reason} ${weight} Fix: ${finding.fix}`,
      this.location(sentTo),
      [finding.endpoint, finding.variant],
      {
        blocking: finding.blocking,
        severity: finding.severity,
        failOn,
        endpoint: finding.endpoint,
        variant: finding.variant,
        exploitableBy: finding.exploitableBy,
        ...(finding.status !== undefined ? { status: finding.status } : {}),
        ...(excerpt ? { excerpt } : {}),
      },
    );
  }
}

/**
 * The result as a SARIF 2.1.0 log (pretty JSON). Rules: `kcbox/matrix/cell` (a failed cell),
 * `kcbox/matrix/realm-finding`, and `kcbox/hostile/<case id>` for each hostile case, with the
 * severity as the level (critical and high: error, policy: warning, advisory: note) and as GitHub's
 * `security-severity`; whether a finding fails the check is `properties.blocking`. Results point
 * at the matrix file's line of the endpoint (relative to `%SRCROOT%`, the current folder by
 * default). What could not be checked is listed as `toolExecutionNotifications`, and
 * `executionSuccessful` is false when the run is incomplete.
 *
 * @example
 * await writeFile('kcbox.sarif', renderMatrixSarif(result));   // then upload it to code scanning
 */
export function renderMatrixSarif(result: MatrixResult, options: SarifOptions = {}): string {
  const root = resolve(options.root ?? process.cwd());
  const builder = new SarifBuilder(result, root);
  for (const cell of failedCells(result)) builder.cell(cell);
  for (const cell of failedPeerCells(result)) builder.cell(cell, PEER_CELL_RULE);
  for (const finding of result.realmFindings) builder.realmFinding(finding);
  for (const operation of result.coverage?.uncovered ?? []) builder.uncoveredOperation(operation, result.coverage!);
  if (result.hostile) for (const finding of orderedFindings(result.hostile)) builder.hostileFinding(finding, result.hostile.failOn);

  const verdict = verdictOf(result);
  const notificationLevel: SarifLevel = verdict === 'incomplete' ? 'error' : 'warning';
  const started = Date.parse(result.startedAt);
  const version = kcboxVersion();
  const log: SarifLog = {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kcbox',
            version,
            semanticVersion: version,
            rules: builder.rules,
            notifications: [
              {
                id: NOT_CHECKED_NOTIFICATION,
                name: 'NotChecked',
                shortDescription: { text: 'Could not be checked.' },
                fullDescription: { text: NOT_CHECKED_NOTE },
                help: { text: 'Fix what kept it from running (the backend, Keycloak, the machine) and run the check again.' },
                defaultConfiguration: { level: 'error' },
                properties: {},
              },
            ],
          },
        },
        invocations: [
          {
            executionSuccessful: verdict !== 'incomplete',
            startTimeUtc: new Date(started).toISOString(),
            endTimeUtc: new Date(started + result.durationMs).toISOString(),
            toolExecutionNotifications: notChecked(result).map((entry) => ({
              level: notificationLevel,
              message: { text: `Not checked: ${entry.what}: ${entry.why}` },
              descriptor: { id: NOT_CHECKED_NOTIFICATION, index: 0 },
              properties: { what: entry.what, why: entry.why },
            })),
          },
        ],
        originalUriBaseIds: { [SOURCE_ROOT]: { uri: pathToFileURL(root.endsWith(sep) ? root : `${root}${sep}`).href } },
        results: builder.results,
        columnKind: 'utf16CodeUnits',
        properties: {
          verdict: VERDICT_LABEL[verdict],
          summary: summaryLine(countMatrix(result)),
          spec: result.spec,
          ...(result.hostile ? { failOn: result.hostile.failOn } : {}),
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
