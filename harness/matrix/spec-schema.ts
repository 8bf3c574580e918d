/**
 * JSON Schema of a matrix file (YAML or JSON). Shape only: references to users, scopes and
 * clients are checked against the realm afterwards, where the realm is known.
 */

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

const tokenSource = {
  description: 'access (default), rpt, or {client: ID, secret?: SECRET} for a token from another client',
  oneOf: [
    { type: 'string', enum: ['access', 'rpt'] },
    {
      type: 'object',
      additionalProperties: false,
      required: ['client'],
      properties: { client: { type: 'string', minLength: 1 }, secret: { type: 'string' } },
    },
  ],
};

// A deny status is what tells a refusal from access: a 2xx (or 1xx) cannot, and a 5xx is a
// failure, never a refusal, so only 3xx and 4xx are admitted.
const denyStatus = { type: 'integer', minimum: 300, maximum: 499 };
const statusList = {
  oneOf: [denyStatus, { type: 'array', minItems: 1, items: denyStatus }],
};

const seconds = { type: 'number', exclusiveMinimum: 0 };

const denyStatuses = {
  type: 'object',
  additionalProperties: false,
  properties: { anonymous: statusList, authenticated: statusList },
};

/** One key each: `{role: client/role}`, `{anyOf: [...]}`…; or the words public / authenticated. */
const requirement = {
  oneOf: [
    { type: 'string', enum: ['public', 'authenticated'] },
    {
      type: 'object',
      minProperties: 1,
      maxProperties: 1,
      additionalProperties: false,
      properties: {
        permission: { type: 'string', minLength: 1, description: 'a UMA permission: Resource#scope or scope' },
        role: { type: 'string', minLength: 1, description: 'client/role, or a realm role' },
        realmRole: { type: 'string', minLength: 1 },
        oauthScope: { type: 'string', minLength: 1, description: "an OAuth scope in the token's scope claim" },
        group: { type: 'string', pattern: '^/', description: 'a group path, e.g. /staff (subgroups count)' },
        anyOf: { type: 'array', minItems: 1, items: { $ref: '#/$defs/requirement' } },
        allOf: { type: 'array', minItems: 1, items: { $ref: '#/$defs/requirement' } },
      },
    },
  ],
};

export const matrixSpecSchema = {
  $id: 'urn:kcbox:matrix-spec',
  type: 'object',
  additionalProperties: false,
  required: ['keycloak', 'backend', 'users', 'endpoints'],
  $defs: { requirement },
  properties: {
    $schema: { type: 'string' },
    keycloak: {
      type: 'object',
      additionalProperties: false,
      required: ['client'],
      properties: {
        realm: { type: 'string', minLength: 1, description: 'realm file, relative to the matrix file' },
        realmName: { type: 'string', minLength: 1, description: 'a realm that already exists on the server' },
        client: { type: 'string', minLength: 1 },
        loginClient: { type: 'string', minLength: 1 },
        passwords: {
          type: 'object',
          additionalProperties: { type: 'string' },
          description: 'user → password, for realms without a realm file',
        },
      },
      oneOf: [{ required: ['realm'] }, { required: ['realmName'] }],
    },
    backend: {
      type: 'object',
      additionalProperties: false,
      properties: {
        url: { type: 'string', pattern: '^https?://' },
        command: { type: 'string', minLength: 1 },
        cwd: { type: 'string' },
        env: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
        image: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'port'],
          description: 'a container image kcbox runs as the backend, beside Keycloak on one Docker engine',
          properties: {
            name: { type: 'string', minLength: 1, description: 'image reference, e.g. example/inventory:local (never pulled)' },
            port: { type: 'integer', minimum: 1, maximum: 65535, description: 'the port the backend listens on inside the container' },
            command: { type: 'array', minItems: 1, items: { type: 'string' }, description: "replaces the image's CMD" },
            env: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
          },
        },
        ready: { type: 'string', pattern: '^/' },
        readyTimeout: seconds,
      },
      anyOf: [{ required: ['url'] }, { required: ['command'] }, { required: ['image'] }],
      not: { required: ['command', 'image'] },
    },
    token: tokenSource,
    status: { type: 'string', enum: ['lenient', 'strict'] },
    deny: { ...denyStatuses, description: 'default deny statuses for every endpoint (after status:)' },
    timeout: seconds,
    users: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } },
    endpoints: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['method', 'path'],
        oneOf: [{ required: ['scope'] }, { required: ['requires'] }],
        properties: {
          name: { type: 'string', minLength: 1 },
          method: { type: 'string', enum: METHODS },
          path: { type: 'string', pattern: '^/' },
          headers: { type: 'object', additionalProperties: { type: 'string' } },
          body: {},
          scope: { type: 'string', minLength: 1, description: 'public, scope, or Resource#scope' },
          requires: { $ref: '#/$defs/requirement' },
          token: tokenSource,
          deny: denyStatuses,
          expect: { type: 'object', additionalProperties: { type: 'string', enum: ['allow', 'deny'] } },
        },
      },
    },
  },
} as const;
