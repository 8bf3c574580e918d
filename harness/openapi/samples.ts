import { sample } from 'openapi-sampler';
import type { OpenApiOperation, OpenApiParameter } from './load-openapi.js';
import { joinPaths } from './path-match.js';

/** A request `kcbox init` writes for an operation, with a note on every value it made up. */
export interface SampledRequest {
  /** Base path, path template filled in, required query parameters appended. */
  readonly path: string;
  readonly body: unknown;
  /** A content type other than JSON, sent as a header with a string body. */
  readonly contentType: string | undefined;
  readonly notes: readonly string[];
}

type Schema = Record<string, unknown>;

/** An example the document gives: `example`, the first of `examples` (a map of Example objects or, in 3.1 schemas, a list). */
function givenExample(holder: { example?: unknown; examples?: unknown } | undefined): { value: unknown } | undefined {
  if (!holder) return undefined;
  if (holder.example !== undefined) return { value: holder.example };
  const examples = holder.examples;
  if (Array.isArray(examples) && examples.length > 0) return { value: examples[0] };
  if (examples && typeof examples === 'object') {
    const first = Object.values(examples as Record<string, { value?: unknown }>)[0];
    if (first && 'value' in first) return { value: first.value };
  }
  return undefined;
}

function sampled(schema: Schema | undefined): unknown {
  if (!schema) return undefined;
  try {
    return sample(schema as Parameters<typeof sample>[0], { skipReadOnly: true, quiet: true });
  } catch {
    return undefined;
  }
}

/** A path or query value: the parameter's example, its schema's example, default or first enum value, else a sample (integers: 1, an id that may exist). */
function parameterValue(parameter: OpenApiParameter): { value: string; from: string } {
  const schema = parameter.schema as Schema | undefined;
  const given = givenExample(parameter) ?? givenExample(schema as { example?: unknown; examples?: unknown } | undefined);
  if (given) return { value: String(given.value), from: 'the example' };
  if (schema?.default !== undefined) return { value: String(schema.default), from: 'the default' };
  if (Array.isArray(schema?.enum) && schema.enum.length > 0) return { value: String(schema.enum[0]), from: 'the first enum value' };
  const type = Array.isArray(schema?.type) ? schema.type.find((t) => t !== 'null') : schema?.type;
  if (type === 'integer' || type === 'number') return { value: String(Math.max(1, Number(schema?.minimum ?? 1))), from: 'a sample' };
  const value = sampled(schema);
  return { value: value === undefined || value === null ? 'example' : String(value), from: 'a sample' };
}

const isJson = (type: string) => /^application\/(.+\+)?json\b/i.test(type) || type === '*/*';

/** A concrete request for an operation: path parameters and required query parameters filled, a body from the examples or schema. */
export function sampleRequest(operation: OpenApiOperation): SampledRequest {
  const notes: string[] = [];
  const filled = operation.path.replace(/\{([^{}/]+)\}/g, (whole, name: string) => {
    const parameter = operation.parameters.find((candidate) => candidate.in === 'path' && candidate.name === name);
    const { value, from } = parameter ? parameterValue(parameter) : { value: '1', from: 'a guess (no parameter declares it)' };
    notes.push(`{${name}} = ${value} from ${from}`);
    return encodeURIComponent(value);
  });
  const query = operation.parameters
    .filter((parameter) => parameter.in === 'query' && parameter.required)
    .map((parameter) => {
      const { value, from } = parameterValue(parameter);
      notes.push(`?${parameter.name}=${value} from ${from}`);
      return `${encodeURIComponent(parameter.name)}=${encodeURIComponent(value)}`;
    });
  const path = `${joinPaths(operation.basePath, filled)}${query.length > 0 ? `?${query.join('&')}` : ''}`;

  const requestBody = operation.operation.requestBody as
    { content?: Record<string, { schema?: Schema; example?: unknown; examples?: unknown }> } | undefined;
  const content = Object.entries(requestBody?.content ?? {});
  const [type, media] = content.find(([name]) => isJson(name)) ?? content[0] ?? [];
  if (!type || !media) return { path, body: undefined, contentType: undefined, notes };
  const given = givenExample(media);
  const value = given ? given.value : sampled(media.schema);
  notes.push(`body from ${given ? 'the example' : 'the schema (sampled)'}`);
  if (isJson(type)) return { path, body: value ?? {}, contentType: undefined, notes };
  return { path, body: typeof value === 'string' ? value : JSON.stringify(value ?? ''), contentType: type, notes };
}
