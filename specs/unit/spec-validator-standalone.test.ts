import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
// CommonJS: the default import is module.exports, whose default is standaloneCode.
import ajvStandalone from 'ajv/dist/standalone/index.js';
import { describe, expect, it } from 'vitest';
import { MATRIX_SPEC_AJV_OPTIONS, matrixSpecSchema } from '../../harness/matrix/spec-schema.js';

// The build ships the matrix schema's validator as ajv's standalone code (scripts/build-spec-validator.mjs);
// spec-load's messages read the errors' params, data and parentSchema, so both validators must give the same errors.
function standalone(): ValidateFunction {
  const ajv = new Ajv({ ...MATRIX_SPEC_AJV_OPTIONS, code: { source: true } });
  // The generated CommonJS module, run as Node would run the build's file (its require finds ajv's runtime).
  const module = { exports: {} as unknown };
  new Function('module', 'exports', 'require', ajvStandalone.default(ajv, ajv.compile(matrixSpecSchema)))(
    module,
    module.exports,
    createRequire(import.meta.url),
  );
  return module.exports as ValidateFunction;
}

const valid = {
  keycloak: { realm: 'realm.json', client: 'api' },
  backend: { command: 'node server.mjs', url: 'http://127.0.0.1:${PORT}', ready: '/health' },
  users: ['alice', 'anonymous'],
  endpoints: [{ method: 'GET', path: '/items', scope: 'Items#view' }],
};

const invalid: Record<string, unknown> = {
  'an unknown key': { ...valid, bogus: 1 },
  'a method outside the enum': { ...valid, endpoints: [{ method: 'FETCH', path: '/items', scope: 'x' }] },
  'both scope and requires': { ...valid, endpoints: [{ method: 'GET', path: '/items', scope: 'x', requires: 'authenticated' }] },
  'a secret without a client': { ...valid, token: { secret: 'x' } },
  'no users': { ...valid, users: [] },
  'a path without its slash': { ...valid, endpoints: [{ method: 'GET', path: 'items', scope: 'x' }] },
  'a missing backend': { keycloak: valid.keycloak, users: valid.users, endpoints: valid.endpoints },
};

describe("the matrix schema's standalone validator", () => {
  const generated = standalone();
  const compiled = new Ajv(MATRIX_SPEC_AJV_OPTIONS).compile(matrixSpecSchema);

  it('accepts what the compiled one accepts', () => {
    expect(compiled(valid)).toBe(true);
    expect(generated(valid)).toBe(true);
  });

  it.each(Object.entries(invalid))('gives the compiled one’s errors for %s', (_name, spec) => {
    expect(compiled(spec)).toBe(false);
    expect(generated(spec)).toBe(false);
    const shape = (errors: ValidateFunction['errors']) =>
      (errors ?? []).map(({ instancePath, keyword, params, data, parentSchema, schemaPath }) => ({
        instancePath,
        keyword,
        params,
        data,
        parentSchema,
        schemaPath,
      }));
    expect(shape(generated.errors)).toEqual(shape(compiled.errors));
    expect(shape(generated.errors).length).toBeGreaterThan(0);
  });
});
