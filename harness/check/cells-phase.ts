import { runRequests, type RequestPlan } from '../http/run-requests.js';
import { judgeCell } from '../matrix/judge-cell.js';
import { ANONYMOUS, type CellResult } from '../matrix/types.js';
import type { CellsPhase, PhaseContext, RealmKey, TokensPhase } from '../matrix/phases.js';

/** tokens → cells: calls every endpoint as every user, concurrently, and judges each answer. */
export async function runCells(tokens: TokensPhase, realmKey: RealmKey, backendUrl: string, context: PhaseContext): Promise<CellsPhase> {
  const { spec } = tokens;
  const plans: RequestPlan[] = [];
  const cells: Array<Omit<CellResult, 'observed' | 'outcome' | 'pass' | 'reason'>> = [];
  // Object endpoints (an ownership rule) are called on each owner's objects by runObjectCells.
  for (const endpoint of spec.endpoints.filter((candidate) => candidate.owner === undefined)) {
    for (const user of spec.users) {
      const token = user === ANONYMOUS ? undefined : tokens.tokens.token(user, endpoint.token).bearer;
      plans.push({ method: endpoint.method, path: endpoint.path, headers: endpoint.headers, body: endpoint.body, token });
      cells.push({
        endpoint: endpoint.id,
        user,
        expected: tokens.expected(endpoint, user),
        acceptedDenyStatuses: user === ANONYMOUS ? endpoint.deny.anonymous : endpoint.deny.authenticated,
        ...(context.showTokens ? { token } : {}),
      });
    }
  }
  context.step(`calling ${plans.length} cells at ${backendUrl}, ${context.concurrency} at a time`);
  const observations = await runRequests(plans, {
    baseUrl: backendUrl,
    concurrency: context.concurrency,
    timeoutMs: spec.requestTimeoutMs,
  });
  const judged = observations.map((observed, index) => {
    const cell = cells[index]!;
    return { ...cell, observed, ...judgeCell(cell.expected, cell.acceptedDenyStatuses, observed) };
  });
  return { ...tokens, realmKey, backendUrl, cells: judged };
}
