/**
 * JSON Schema of a matrix file (YAML or JSON). Shape only: references to users, scopes and
 * clients are checked against the realm afterwards, where the realm is known.
 */

/**
 * The validator's options, one place for the validator compiled at run time and the one the build
 * generates (scripts/build-spec-validator.mjs).
 */
export const MATRIX_SPEC_AJV_OPTIONS = {
  allErrors: true,
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
  verbose: true,
} as const;

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** OAuth scopes to request: `"a b"` or `[a, b]`. */
const oauthScopes = {
  oneOf: [
    { type: 'string', pattern: '\\S' },
    { type: 'array', minItems: 1, items: { type: 'string', pattern: '^\\S+$' } },
  ],
};

const tokenSource = {
  description:
    'access (default), rpt, or {client?: ID, secret?: SECRET, scope?: SCOPES}: a token from another client, or requested with OAuth scopes',
  oneOf: [
    { type: 'string', enum: ['access', 'rpt'] },
    {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      dependencies: { secret: ['client'] },
      properties: { client: { type: 'string', minLength: 1 }, secret: { type: 'string' }, scope: oauthScopes },
    },
  ],
};

/** A grid column: a username (or anonymous), a user whose tokens are requested with scopes, or a service account. */
const caller = {
  oneOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object',
      additionalProperties: false,
      required: ['user'],
      properties: { name: { type: 'string', minLength: 1 }, user: { type: 'string', minLength: 1 }, scope: oauthScopes },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['serviceAccount'],
      properties: {
        name: { type: 'string', minLength: 1 },
        serviceAccount: { type: 'string', minLength: 1, description: 'a confidential client with a service account' },
        secret: { type: 'string', minLength: 1 },
        scope: oauthScopes,
      },
    },
  ],
};

const roleNames = { type: 'array', items: { type: 'string', minLength: 1 } };

/** A user kcbox creates in the isolated realm copy before minting tokens. */
const fixtureUser = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    password: { type: 'string', minLength: 1 },
    enabled: { type: 'boolean' },
    email: { type: 'string', minLength: 1 },
    firstName: { type: 'string', minLength: 1 },
    lastName: { type: 'string', minLength: 1 },
    realmRoles: roleNames,
    clientRoles: { type: 'object', additionalProperties: roleNames },
    groups: { type: 'array', items: { type: 'string', pattern: '^/' } },
    attributes: {
      type: 'object',
      additionalProperties: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    },
  },
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

/** `only`, `any`, `tenant`, or `{or: REQUIREMENT}`: who besides the owner may act on an object. */
const ownership = {
  description:
    "only (the owner alone), any (anyone meeting the requirement), tenant (anyone in the owner's tenant), or {or: REQUIREMENT} (the owner, or whoever also meets it)",
  oneOf: [
    { type: 'string', enum: ['only', 'any', 'tenant'] },
    { type: 'object', additionalProperties: false, required: ['or'], properties: { or: { $ref: '#/$defs/requirement' } } },
  ],
};

const setupStep = {
  type: 'object',
  additionalProperties: false,
  required: ['method', 'path', 'capture'],
  properties: {
    name: { type: 'string', minLength: 1 },
    method: { type: 'string', enum: METHODS },
    path: { type: 'string', pattern: '^/' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    body: {},
    token: tokenSource,
    capture: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
      additionalProperties: { type: 'string', pattern: '^(/.*)?$', description: 'a JSON pointer (RFC 6901) into the JSON answer' },
    },
  },
};

/** The OpenAPI document whose every operation the matrix must cover: a file, or a file with skips. */
const openapi = {
  oneOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object',
      additionalProperties: false,
      required: ['file'],
      properties: {
        file: { type: 'string', minLength: 1, description: 'OpenAPI 3.0/3.1 document, relative to the matrix file' },
        basePath: {
          type: 'string',
          pattern: '^/',
          description: "overrides the servers' base path, e.g. / for a backend serving at the root",
        },
        skip: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['operation', 'reason'],
            properties: {
              operation: { type: 'string', minLength: 1, description: 'METHOD /path/{template} or an operationId' },
              reason: { type: 'string', minLength: 1 },
            },
          },
        },
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
        loginFlow: {
          enum: ['auto', 'password', 'code'],
          description: "password grant, login form (authorization code + PKCE), or auto: by the login client's direct access grants",
        },
        passwords: {
          type: 'object',
          additionalProperties: { type: 'string' },
          description: 'user → password, for realms without a realm file',
        },
        users: {
          type: 'object',
          propertyNames: { minLength: 1 },
          additionalProperties: fixtureUser,
          description: 'username → definition: users created in the isolated realm copy',
        },
        tls: { type: 'boolean', description: "serve Keycloak over https with kcbox's local CA (backends that refuse http JWKS)" },
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
    openapi,
    token: tokenSource,
    status: { type: 'string', enum: ['lenient', 'strict'] },
    deny: { ...denyStatuses, description: 'default deny statuses for every endpoint (after status:)' },
    timeout: seconds,
    setup: {
      type: 'object',
      additionalProperties: false,
      required: ['steps'],
      properties: {
        owners: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } },
        tenants: {
          description: 'what makes users one tenant, for owner: tenant: {groups: [/acme, /globex]} or {attribute: org}',
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          maxProperties: 1,
          properties: {
            groups: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^/' } },
            attribute: { type: 'string', minLength: 1, description: 'a user attribute (or the token claim a mapper puts it in)' },
          },
        },
        steps: { type: 'array', minItems: 1, items: setupStep },
      },
    },
    users: { type: 'array', minItems: 1, uniqueItems: true, items: caller },
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
          owner: ownership,
        },
      },
    },
  },
} as const;
