import { KcboxError } from '../errors.js';
import { parseJsonText } from '../input/json-text.js';
import { echo, formatInputProblem, readTextFile } from '../input/text-file.js';

/** One entry of a Keycloak policy enforcer's `paths` (keycloak.json `policy-enforcer.paths`). */
export interface EnforcerPath {
  readonly path: string;
  /** The protected resource's name, when the entry names one. */
  readonly name: string | undefined;
  /** `ENFORCING` (default) or `DISABLED`: a disabled path needs nothing. */
  readonly enforcementMode: string;
  readonly methods: readonly { readonly method: string; readonly scopes: readonly string[]; readonly mode: 'ALL' | 'ANY' | 'DISABLED' }[];
}

const ENFORCER_MAX_BYTES = 1024 * 1024;

function enforcerError(file: string, message: string, cause?: unknown): KcboxError {
  return new KcboxError('ERR_KCBOX_USAGE', `${file}: ${message}`, cause === undefined ? {} : { cause });
}

const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/**
 * The paths of a policy enforcer configuration: keycloak.json (`policy-enforcer`), or a Quarkus /
 * Spring style object with `paths` at the top.
 */
export async function loadPolicyEnforcer(file: string): Promise<EnforcerPath[]> {
  const text = await readTextFile(file, {
    maxBytes: ENFORCER_MAX_BYTES,
    what: 'policy enforcer configuration',
    format: 'JSON',
    fail: (problem) => enforcerError(problem.file, problem.message, problem.cause),
  });
  const json = record(
    parseJsonText(text, file, (problem) => new KcboxError('ERR_KCBOX_USAGE', formatInputProblem(problem), { cause: problem.cause })),
  );
  const enforcer = record(json['policy-enforcer'] ?? json.policyEnforcer ?? json);
  const paths = enforcer.paths;
  if (!Array.isArray(paths))
    throw enforcerError(
      file,
      `expected "policy-enforcer": {"paths": [{"path": "/api/*", "methods": [...]}]} (keycloak.json); got ${echo(paths ?? null)} for paths.`,
    );
  return paths.map((raw, index) => {
    const entry = record(raw);
    if (typeof entry.path !== 'string' || !entry.path.startsWith('/'))
      throw enforcerError(file, `policy-enforcer.paths[${index}].path must be a path starting with "/"; got ${echo(entry.path ?? null)}.`);
    const methods = (Array.isArray(entry.methods) ? entry.methods : []).map(record).map((method) => ({
      method: String(method.method ?? '').toUpperCase(),
      scopes: (Array.isArray(method.scopes) ? method.scopes : []).filter((scope): scope is string => typeof scope === 'string'),
      mode: String(method['scopes-enforcement-mode'] ?? method.scopesEnforcementMode ?? 'ALL').toUpperCase() as 'ALL' | 'ANY' | 'DISABLED',
    }));
    return {
      path: entry.path,
      name: typeof entry.name === 'string' ? entry.name : undefined,
      enforcementMode: String(entry['enforcement-mode'] ?? entry.enforcementMode ?? 'ENFORCING').toUpperCase(),
      methods,
    };
  });
}
