import { answerLabel } from '../http/observation.js';
import { type RequestPlan, runRequests } from '../http/run-requests.js';
import { clip } from '../input/text-file.js';
import { expectedFor } from '../matrix/expectations.js';
import { type CellVerdict, judgeCell } from '../matrix/judge-cell.js';
import {
  type Captured,
  captureValue,
  describeOwnership,
  describeTenants,
  expectedOnObject,
  fillRequest,
  samePrincipal,
  sameTenant,
} from '../matrix/objects.js';
import type { PhaseContext, TokensPhase } from '../matrix/phases.js';
import { ANONYMOUS, type CellResult, type IncompleteWork, type MatrixEndpoint, type SetupStep } from '../matrix/types.js';

/** Setup answers are read up to this many bytes: enough for any JSON a create returns. */
const SETUP_ANSWER_BYTES = 256 * 1024;

/** One owner's objects, created for one caller's attempts only. */
interface ObjectCopy {
  readonly owner: string;
  readonly caller: string;
  /** The owner is the caller's own principal (maybe another column of it): a role cell, not a peer cell. */
  readonly own: boolean;
  captured: Record<string, string>;
  /** Why a setup step left this copy unusable; its cells are not run. */
  failed?: string;
}

export interface ObjectCells {
  /** Each caller on its own objects: the object endpoints' role cells. */
  readonly cells: readonly CellResult[];
  /** Each caller on every other owner's objects. */
  readonly peerCells: readonly CellResult[];
  /** Setup steps that failed: the run is incomplete, never a pass. */
  readonly incomplete: readonly IncompleteWork[];
}

const successful = (status: number | undefined) => status !== undefined && status >= 200 && status < 300;

/** A refusal the ownership rule calls for, said as such: Keycloak grants the caller the endpoint itself. */
function ownershipReason(
  cell: Pick<CellResult, 'user' | 'owner' | 'expected'>,
  own: boolean,
  verdict: CellVerdict,
  endpoint: MatrixEndpoint,
  tokens: TokensPhase,
): string {
  if (verdict.pass || verdict.outcome !== 'allowed' || !endpoint.owner || own) return verdict.reason;
  if (expectedFor(endpoint, cell.user, tokens.tokens) !== 'allow') return verdict.reason;
  const status = verdict.reason.match(/with (\d+)$/)?.[1];
  if (endpoint.owner.kind === 'same-tenant') {
    const tenants = (user: string) => describeTenants(tokens.tokens.caller(user, endpoint.token).tenants);
    return `Keycloak grants ${cell.user} the endpoint, but the object is ${cell.owner ?? 'another user'}'s (tenant ${tenants(cell.owner ?? '')}) and ${cell.user} is in ${tenants(cell.user)}: the backend allowed it across tenants${status ? ` with ${status}` : ''}`;
  }
  return `Keycloak grants ${cell.user} the endpoint, but the object is ${cell.owner ?? 'another user'}'s and the rule is "${describeOwnership(endpoint.owner)}": the backend allowed it${status ? ` with ${status}` : ''}`;
}

const stepLabel = (step: SetupStep, owner: string) => `setup ${JSON.stringify(step.name)} as ${owner}`;

/** Runs one setup step for every copy still usable, and records its captures or why it failed. */
async function runStep(step: SetupStep, copies: readonly ObjectCopy[], tokens: TokensPhase, backendUrl: string, context: PhaseContext) {
  const live = copies.filter((copy) => copy.failed === undefined);
  const plans: RequestPlan[] = live.map((copy) => ({
    ...fillRequest({ method: step.method, path: step.path, headers: step.headers, body: step.body }, copy.captured),
    token: tokens.tokens.token(copy.owner, step.token).bearer,
  }));
  const observations = await runRequests(plans, {
    baseUrl: backendUrl,
    concurrency: context.concurrency,
    timeoutMs: tokens.spec.requestTimeoutMs,
    excerptBytes: SETUP_ANSWER_BYTES,
  });
  observations.forEach((observed, index) => {
    const copy = live[index]!;
    if (observed.kind !== 'answered') {
      copy.failed = `no answer (${observed.kind}): ${clip(observed.excerpt, 200)}`;
      return;
    }
    if (observed.status === 401 || observed.status === 403) {
      // Owners default to every caller with a token; one the backend rightly refuses needs the spec changed, not the backend.
      const where = step.source ? ` (${step.source.file}:${step.source.line})` : '';
      copy.failed = `refused with ${observed.status}: if ${copy.owner} may not create objects, list the callers who may under setup.owners${where}`;
      return;
    }
    if (!successful(observed.status)) {
      copy.failed = `answered ${answerLabel(observed)}, expected a 2xx: ${clip(observed.excerpt.replace(/\s+/g, ' '), 200)}`;
      return;
    }
    for (const [name, pointer] of Object.entries(step.capture)) {
      const captured = captureValue(observed.excerpt, pointer);
      if ('problem' in captured) {
        copy.failed = `answered ${observed.status}, but ${name}: ${captured.problem}`;
        return;
      }
      copy.captured[name] = captured.value;
    }
  });
}

/** Failed copies, one entry per step, owner and reason (a realm may refuse one owner every copy). */
function setupFailures(failures: ReadonlyArray<{ step: SetupStep; copy: ObjectCopy }>, objectEndpoints: number): IncompleteWork[] {
  const grouped = new Map<string, { what: string; why: string; callers: string[] }>();
  for (const { step, copy } of failures) {
    const id = `${step.name}\u0000${copy.owner}\u0000${copy.failed ?? ''}`;
    const entry = grouped.get(id) ?? { what: stepLabel(step, copy.owner), why: copy.failed ?? '', callers: [] };
    entry.callers.push(copy.caller);
    grouped.set(id, entry);
  }
  return [...grouped.values()].map(({ what, why, callers }) => ({
    what,
    why: `${why}; so ${callers.length * objectEndpoints} object cells (for ${callers.join(', ')}) were not run`,
  }));
}

/**
 * setup → object cells. Every owner creates its objects afresh for every caller (anonymous
 * included), so that no caller's attempt (a DELETE above all) changes what another caller sees.
 * Each caller then calls every object endpoint on every owner's copy made for it: the endpoints
 * that change nothing by method first, then DELETEs, so a caller's own reads are not answered 404
 * by its own delete.
 */
export async function runObjectCells(tokens: TokensPhase, backendUrl: string, context: PhaseContext): Promise<ObjectCells> {
  const { spec } = tokens;
  const owners = spec.setup?.owners ?? [];
  const objectEndpoints = spec.endpoints.filter((endpoint) => endpoint.owner !== undefined);
  if (!spec.setup || objectEndpoints.length === 0) return { cells: [], peerCells: [], incomplete: [] };
  // Setup requests carry the first step's token, so its claims say who each column is.
  const source = spec.setup.steps[0]?.token ?? objectEndpoints[0]!.token;
  const same = (caller: string, owner: string) => samePrincipal(spec, tokens.tokens, source, caller, owner);
  // Of the owners that are the caller's own principal, one copy only (its own column's, else the
  // first): they are one role cell per endpoint, and a backend cannot tell them apart anyway.
  const copies: ObjectCopy[] = spec.users.flatMap((caller) => {
    const mine = owners.find((owner) => owner === caller) ?? owners.find((owner) => same(caller, owner));
    return owners
      .filter((owner) => owner === mine || !same(caller, owner))
      .map((owner) => ({ owner, caller, own: owner === mine, captured: {} }));
  });
  context.step(
    `creating objects: ${spec.setup.steps.length} setup step${spec.setup.steps.length === 1 ? '' : 's'} × ${copies.length} (owner, caller) pairs`,
  );
  const failures: Array<{ step: SetupStep; copy: ObjectCopy }> = [];
  for (const step of spec.setup.steps) {
    const before = new Set(copies.filter((copy) => copy.failed !== undefined));
    await runStep(step, copies, tokens, backendUrl, context);
    for (const copy of copies) if (copy.failed !== undefined && !before.has(copy)) failures.push({ step, copy });
    context.signal?.throwIfAborted();
  }

  const usable = copies.filter((copy) => copy.failed === undefined);
  // Anonymous is in no tenant, and never marked: it is refused everyone's objects anyway.
  const otherTenant = (caller: string, owner: string, endpoint: MatrixEndpoint) =>
    spec.setup?.tenants !== undefined &&
    !same(caller, owner) &&
    caller !== ANONYMOUS &&
    !sameTenant(tokens.tokens.caller(caller, endpoint.token).tenants, tokens.tokens.caller(owner, endpoint.token).tenants);
  const cellsOf = (endpoints: readonly MatrixEndpoint[]) =>
    endpoints.flatMap((endpoint) =>
      usable.map((copy) => {
        const token = copy.caller === ANONYMOUS ? undefined : tokens.tokens.token(copy.caller, endpoint.token).bearer;
        const request = fillRequest({ path: endpoint.path, headers: endpoint.headers, body: endpoint.body }, copy.captured as Captured);
        const plan: RequestPlan = { ...request, method: endpoint.method, token };
        const cell = {
          endpoint: endpoint.id,
          user: copy.caller,
          owner: copy.owner,
          ...(otherTenant(copy.caller, copy.owner, endpoint) ? { otherTenant: true } : {}),
          expected: expectedOnObject(endpoint, copy.caller, copy.owner, tokens.tokens, spec),
          acceptedDenyStatuses: copy.caller === ANONYMOUS ? endpoint.deny.anonymous : endpoint.deny.authenticated,
          ...(context.showTokens ? { token } : {}),
        };
        return { plan, cell, endpoint, own: copy.own };
      }),
    );
  const judged: Array<{ cell: CellResult; own: boolean }> = [];
  const waves = [
    objectEndpoints.filter((endpoint) => endpoint.method !== 'DELETE'),
    objectEndpoints.filter((endpoint) => endpoint.method === 'DELETE'),
  ];
  for (const wave of waves) {
    const planned = cellsOf(wave);
    if (planned.length === 0) continue;
    context.step(`calling ${planned.length} object cells at ${backendUrl}`);
    const observations = await runRequests(
      planned.map((entry) => entry.plan),
      { baseUrl: backendUrl, concurrency: context.concurrency, timeoutMs: spec.requestTimeoutMs },
    );
    observations.forEach((observed, index) => {
      const { cell, own, endpoint } = planned[index]!;
      const verdict = judgeCell(cell.expected, cell.acceptedDenyStatuses, observed);
      judged.push({ cell: { ...cell, observed, ...verdict, reason: ownershipReason(cell, own, verdict, endpoint, tokens) }, own });
    });
  }
  // Endpoint-major, as the role cells: every caller of the first endpoint, each on every owner's object.
  const position = (list: readonly string[]) => new Map(list.map((name, index) => [name, index]));
  const [endpointAt, userAt, ownerAt] = [position(spec.endpoints.map((endpoint) => endpoint.id)), position(spec.users), position(owners)];
  const rank = (cell: CellResult) => [endpointAt.get(cell.endpoint) ?? 0, userAt.get(cell.user) ?? 0, ownerAt.get(cell.owner ?? '') ?? 0];
  judged.sort((a, b) => {
    const [x, y] = [rank(a.cell), rank(b.cell)];
    return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
  });
  return {
    cells: judged.filter((entry) => entry.own).map((entry) => entry.cell),
    peerCells: judged.filter((entry) => !entry.own).map((entry) => entry.cell),
    incomplete: setupFailures(failures, objectEndpoints.length),
  };
}
