import { parseDocument } from 'yaml';
import type { OpenAPIV3, OpenAPIV3_1 } from 'openapi-types';
import { KcboxError, describeError } from '../errors.js';
import { clip, echo, readTextFile } from '../input/text-file.js';

/** An OpenAPI 3.0 or 3.1 document with every `$ref` resolved. */
export type OpenApiDocument = OpenAPIV3.Document | OpenAPIV3_1.Document;
export type OpenApiOperationObject = OpenAPIV3.OperationObject | OpenAPIV3_1.OperationObject;
export type OpenApiParameter = OpenAPIV3.ParameterObject | OpenAPIV3_1.ParameterObject;
type PathItem = OpenAPIV3.PathItemObject | OpenAPIV3_1.PathItemObject;
type Server = OpenAPIV3.ServerObject | OpenAPIV3_1.ServerObject;

/**
 * The methods an operation can have that a matrix can call. TRACE operations are left out: the
 * matrix cannot send TRACE (servers refuse it for cross-site tracing), so it could never cover one.
 */
export const OPENAPI_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

/** One operation of the document: a method on a path template. */
export interface OpenApiOperation {
  /** Upper case, e.g. `GET`. */
  readonly method: string;
  /** The key under `paths`, e.g. `/items/{id}`. */
  readonly path: string;
  /** The path of the operation's server URL (operation, path item, then document servers; the first one), `''` for none or `/`. */
  readonly basePath: string;
  /** `GET /items/{id}`: how reports, `skip:` and messages name it. */
  readonly key: string;
  readonly operationId: string | undefined;
  /** Path-item parameters merged with the operation's (the operation's win). */
  readonly parameters: readonly OpenApiParameter[];
  /** The operation's `security`, else the document's; undefined when neither says. */
  readonly security: readonly Readonly<Record<string, readonly string[]>>[] | undefined;
  readonly operation: OpenApiOperationObject;
}

export interface LoadedOpenApi {
  readonly file: string;
  /** `3.0.3`, `3.1.0`… */
  readonly version: string;
  readonly document: OpenApiDocument;
  readonly operations: readonly OpenApiOperation[];
}

/**
 * The largest OpenAPI document kcbox reads: 50 MiB. Published documents of large APIs (GitHub's
 * REST API, with every schema inline) come to about 12 MB of JSON.
 */
export const OPENAPI_FILE_MAX_BYTES = 50 * 1024 * 1024;

function openApiError(file: string, message: string, cause?: unknown): KcboxError {
  return new KcboxError('ERR_KCBOX_OPENAPI', `${file}: ${message}`, cause === undefined ? {} : { cause });
}

/** The path part of a server URL, variables replaced by their defaults; `''` for the root. */
export function serverBasePath(server: Server | undefined): string {
  if (!server?.url) return '';
  let url = server.url;
  for (const [name, variable] of Object.entries(server.variables ?? {})) url = url.split(`{${name}}`).join(String(variable.default));
  // Relative server URLs are relative to the document's own location, which only gives a path.
  const path = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? new URL(url).pathname : new URL(url, 'http://document.invalid/').pathname;
  return path.replace(/\/+$/, '');
}

function mergedParameters(item: PathItem, operation: OpenApiOperationObject): OpenApiParameter[] {
  const own = (operation.parameters ?? []) as OpenApiParameter[];
  const inherited = ((item.parameters ?? []) as OpenApiParameter[]).filter(
    (parameter) => !own.some((mine) => mine.name === parameter.name && mine.in === parameter.in),
  );
  return [...inherited, ...own];
}

/** Every operation of a dereferenced document, in document order. */
export function operationsOf(document: OpenApiDocument): OpenApiOperation[] {
  const operations: OpenApiOperation[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    if (!item) continue;
    for (const method of OPENAPI_METHODS) {
      const operation = item[method] as OpenApiOperationObject | undefined;
      if (!operation) continue;
      const server = operation.servers?.[0] ?? item.servers?.[0] ?? document.servers?.[0];
      operations.push({
        method: method.toUpperCase(),
        path,
        basePath: serverBasePath(server),
        key: `${method.toUpperCase()} ${path}`,
        operationId: operation.operationId,
        parameters: mergedParameters(item, operation),
        security: (operation.security ?? document.security) as OpenApiOperation['security'],
        operation,
      });
    }
  }
  return operations;
}

/**
 * Reads an OpenAPI 3.0 or 3.1 document (YAML or JSON) and resolves every `$ref` in it, local or in
 * other files, with swagger-parser. It is not validated against the OpenAPI schema: kcbox needs
 * the paths, operations, parameters and security requirements, and a published document with a
 * stray field elsewhere should still be usable.
 *
 * @throws KcboxError ERR_KCBOX_OPENAPI naming the file and what was expected.
 */
export async function loadOpenApi(file: string): Promise<LoadedOpenApi> {
  const text = await readTextFile(file, {
    maxBytes: OPENAPI_FILE_MAX_BYTES,
    what: 'OpenAPI document',
    format: 'YAML or JSON',
    fail: (problem) => openApiError(problem.file, `${problem.message}; expected an OpenAPI document (YAML or JSON)`, problem.cause),
  });
  // YAML reads JSON too; this first read only looks at the top, swagger-parser reads it again to resolve $refs.
  const parsedDocument = parseDocument(text, { prettyErrors: true, uniqueKeys: false });
  const syntax = parsedDocument.errors[0];
  if (syntax) {
    const where = syntax.linePos?.[0] ? `:${syntax.linePos[0].line}:${syntax.linePos[0].col}` : '';
    throw new KcboxError(
      'ERR_KCBOX_OPENAPI',
      `${file}${where}: is not readable as YAML or JSON: ${clip(syntax.message.split('\n')[0] ?? '', 200)}`,
    );
  }
  const parsed: unknown = parsedDocument.toJS({ maxAliasCount: 1000 });
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw openApiError(file, `expected an OpenAPI 3.0 or 3.1 document (a map with "openapi: 3.x.y"); got ${echo(parsed)}.`);
  const version = (parsed as { openapi?: unknown; swagger?: unknown }).openapi;
  if (typeof version !== 'string' || !/^3\.[01]\./.test(version)) {
    const swagger = (parsed as { swagger?: unknown }).swagger;
    throw openApiError(
      file,
      swagger !== undefined
        ? `is Swagger ${echo(swagger)}; expected OpenAPI 3.0 or 3.1 (convert it first, e.g. with swagger2openapi).`
        : `expected an OpenAPI 3.0 or 3.1 document with "openapi: 3.x.y" at the top; got openapi ${echo(version ?? null)}.`,
    );
  }
  const paths = (parsed as { paths?: unknown }).paths;
  if (paths !== undefined && (typeof paths !== 'object' || paths === null || Array.isArray(paths)))
    throw openApiError(file, `"paths" must be an object of path templates; got ${echo(paths)}.`);
  // Loaded here, not with the module: every check loads this module, few name an OpenAPI document.
  const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
  let document: OpenApiDocument;
  try {
    document = (await SwaggerParser.dereference(file, { dereference: { circular: true } })) as OpenApiDocument;
  } catch (error) {
    throw openApiError(file, `has a $ref that cannot be resolved: ${clip(describeError(error), 300)}`, error);
  }
  return { file, version, document, operations: operationsOf(document) };
}
