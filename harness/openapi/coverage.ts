import { relative } from 'node:path';
import { echo, echoList } from '../input/text-file.js';
import { MatrixSpecError, type SpecProblem } from '../matrix/spec-error.js';
import type { MatrixSpec } from '../matrix/types.js';
import { type LoadedOpenApi, loadOpenApi } from './load-openapi.js';
import { matchOperation, requestTarget } from './path-match.js';

/** How much of an OpenAPI document a matrix covers: the coverage gate's answer. */
export interface OpenApiCoverage {
  /** The document, as the matrix names it (relative to the working directory when inside it). */
  readonly file: string;
  /** Every operation of the document (M). */
  readonly operations: number;
  /** Operations with at least one matrix entry (N), each with the entries that cover it. */
  readonly covered: readonly { readonly operation: string; readonly endpoints: readonly string[] }[];
  /** Operations without an entry that the matrix skips, with its reason. */
  readonly skipped: readonly { readonly operation: string; readonly reason: string }[];
  /** Operations with neither an entry nor a skip: each one is a finding. */
  readonly uncovered: readonly string[];
  /** Matrix entries that match no operation of the document (not findings: e.g. an undocumented /health). */
  readonly undocumented: readonly string[];
}

/** What {@link coverageOf} needs of a matrix. */
export type CoverageSpec = Pick<MatrixSpec, 'endpoints' | 'backend' | 'openapi' | 'file'>;

function shownFile(file: string): string {
  const inside = relative(process.cwd(), file);
  return inside && !inside.startsWith('..') ? inside : file;
}

/**
 * Which operations of the document the matrix covers, skips, or misses. A skip that names no
 * operation of the document is a mistake in the matrix (an operation renamed or removed), so it is
 * an error, not a silent no-op.
 *
 * @throws MatrixSpecError for a skip naming no operation.
 */
export function coverageOf(api: LoadedOpenApi, spec: CoverageSpec): OpenApiCoverage {
  const config = spec.openapi;
  const byOperation = new Map<string, string[]>(api.operations.map((operation) => [operation.key, []]));
  const undocumented: string[] = [];
  for (const endpoint of spec.endpoints) {
    const operation = matchOperation(api.operations, requestTarget(endpoint.method, endpoint.path, spec.backend.url), config?.basePath);
    if (operation) byOperation.get(operation.key)?.push(endpoint.id);
    else undocumented.push(endpoint.id);
  }
  const problems: SpecProblem[] = [];
  const reasons = new Map<string, string>();
  for (const [index, skip] of (config?.skip ?? []).entries()) {
    const named = skip.operation.trim();
    const method = /^([A-Za-z]+)\s+(\/.*)$/.exec(named);
    const operation = api.operations.find((candidate) =>
      method ? candidate.method === method[1]?.toUpperCase() && candidate.path === method[2] : candidate.operationId === named,
    );
    if (!operation) {
      problems.push({
        file: skip.source?.file ?? spec.file ?? '<spec>',
        line: skip.source?.line,
        path: `openapi.skip[${index}].operation`,
        message: `${echo(skip.operation)} is no operation of ${shownFile(api.file)}; expected "METHOD /path/{template}" as under its "paths" or an operationId (it has ${echoList(
          api.operations.map((o) => o.key),
          5,
        )})`,
      });
    } else reasons.set(operation.key, skip.reason);
  }
  if (problems.length > 0) throw new MatrixSpecError(problems);
  const covered = [...byOperation].filter(([, endpoints]) => endpoints.length > 0);
  const missing = [...byOperation].filter(([, endpoints]) => endpoints.length === 0).map(([key]) => key);
  return {
    file: shownFile(api.file),
    operations: api.operations.length,
    covered: covered.map(([operation, endpoints]) => ({ operation, endpoints })),
    skipped: missing.flatMap((operation) => {
      const reason = reasons.get(operation);
      return reason === undefined ? [] : [{ operation, reason }];
    }),
    uncovered: missing.filter((operation) => !reasons.has(operation)),
    undocumented,
  };
}

/** Loads the matrix's OpenAPI document and measures its coverage; undefined when the matrix names none. */
export async function openApiCoverage(spec: CoverageSpec): Promise<OpenApiCoverage | undefined> {
  if (!spec.openapi) return undefined;
  return coverageOf(await loadOpenApi(spec.openapi.file), spec);
}
