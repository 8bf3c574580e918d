// Inventory API protected by a hand-written Keycloak bearer middleware (Express 5 + jose).
//
// Authentication: RS256 signature via the realm JWKS, iss, exp, iat, nbf, typ "Bearer", audience.
// Authorization: the realm's exported authorization settings (resources, role policies, scope
// permissions), evaluated locally against the token's roles — no call to Keycloak per request.
// Configuration comes only from the environment kcbox injects (see README.md).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';

// ---------------------------------------------------------------------------------------------
// Configuration

function requireEnv(names) {
  const missing = names.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    console.error(`express-inventory: missing environment variable(s): ${missing.join(', ')} (kcbox injects them; see README.md)`);
    process.exit(1);
  }
  return Object.fromEntries(names.map((name) => [name, process.env[name]]));
}

const env = requireEnv(['KEYCLOAK_URL', 'KEYCLOAK_REALM', 'KEYCLOAK_ISSUER', 'KEYCLOAK_CLIENT_ID', 'PORT']);
const ISSUER = env.KEYCLOAK_ISSUER;
const CLIENT_ID = env.KEYCLOAK_CLIENT_ID;
const PORT = Number(env.PORT);
if (!Number.isInteger(PORT) || PORT <= 0 || PORT > 65535) {
  console.error(`express-inventory: PORT must be a TCP port, got ${JSON.stringify(env.PORT)}`);
  process.exit(1);
}
const expectedIssuer = `${env.KEYCLOAK_URL.replace(/\/+$/, '')}/realms/${env.KEYCLOAK_REALM}`;
if (ISSUER !== expectedIssuer) {
  console.error(`express-inventory: KEYCLOAK_ISSUER (${ISSUER}) is not KEYCLOAK_URL/realms/KEYCLOAK_REALM (${expectedIssuer})`);
  process.exit(1);
}

// Deliberate bugs for contract tests. FAULT is a comma-separated list; unknown names stop the server.
const KNOWN_FAULTS = {
  'skip-delete-scope': 'DELETE /api/inventory/:id skips its scope check (any valid token may delete)',
  'skip-typ-check': 'accept any token type (ID tokens pass)',
  'skip-audience-check': 'accept tokens issued for any client',
  'allow-query-token': 'accept ?access_token= when no Authorization header is sent',
  'anonymous-403': 'answer 403 instead of 401 when no token is sent',
  'skip-item-owner-check': "PUT /api/items/:id skips its owner check (any valid token may edit anyone's item)",
};
const FAULTS = new Set(
  (process.env.FAULT ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
for (const fault of FAULTS) {
  if (!(fault in KNOWN_FAULTS)) {
    console.error(`express-inventory: unknown FAULT "${fault}"; known: ${Object.keys(KNOWN_FAULTS).join(', ')}`);
    process.exit(1);
  }
}
for (const fault of FAULTS) console.log(`express-inventory: FAULT ${fault}: ${KNOWN_FAULTS[fault]}`);

const AUTHZ_FILE = process.env.KCBOX_AUTHZ_CONFIG || fileURLToPath(new URL('../../realm/inventory-authz-config.json', import.meta.url));
const EXEMPT_PATHS = ['/health'];
// Per-user items: any valid token may create one; its owner (the token's sub) or an inventory-admin
// may read, edit and delete it. No realm resource covers them: the owner check decides.
const ITEMS_PATH = /^\/api\/items(\/|$)/;
const ITEMS_ADMIN_ROLE = 'inventory-admin';
const MAX_TOKEN_LENGTH = 8192;
const CLOCK_TOLERANCE_S = 5;

// ---------------------------------------------------------------------------------------------
// Authorization settings (Keycloak's export format: names, config values as JSON strings)

/** A config value that is a JSON string (export format) or already a value (hand-written files). */
function configValue(value) {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (!trimmed.startsWith('[') && !trimmed.startsWith('{')) return value;
  return JSON.parse(trimmed);
}
const asList = (value) => (Array.isArray(value) ? value.map(String) : []);

/** `/api/inventory/*` and `/api/inventory/{id}` as a RegExp; `*` at the end matches any suffix. */
function uriPattern(uri) {
  let source = '';
  const wildcardTail = uri.endsWith('/*');
  const body = wildcardTail ? uri.slice(0, -2) : uri;
  for (const part of body.split(/(\{[^}]*\}|\*)/)) {
    if (part === '*') source += '[^/]*';
    else if (part.startsWith('{') && part.endsWith('}')) source += '[^/]+';
    else source += part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return { uri, literal: !/[*{]/.test(uri), regex: new RegExp(`^${source}${wildcardTail ? '(?:/.*)?' : ''}$`) };
}

function loadAuthz(file) {
  let raw;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    console.error(`express-inventory: cannot read the authorization settings ${file}: ${error.message}`);
    process.exit(1);
  }
  const policies = new Map();
  for (const policy of raw.policies ?? []) {
    const config = {};
    for (const [key, value] of Object.entries(policy.config ?? {})) {
      try {
        config[key] = configValue(value);
      } catch {
        console.error(`express-inventory: policy "${policy.name}": config ${key} is not valid JSON`);
        process.exit(1);
      }
    }
    policies.set(policy.name, {
      name: policy.name,
      type: policy.type,
      logic: policy.logic ?? 'POSITIVE',
      decisionStrategy: policy.decisionStrategy ?? 'UNANIMOUS',
      config,
    });
  }
  const supported = new Set(['role', 'client', 'user', 'aggregate', 'scope', 'resource']);
  for (const policy of policies.values()) {
    if (!supported.has(policy.type))
      console.warn(`express-inventory: policy "${policy.name}" of type ${policy.type} is not evaluated here: it denies`);
  }
  return {
    mode: raw.policyEnforcementMode ?? 'ENFORCING',
    decisionStrategy: raw.decisionStrategy ?? 'UNANIMOUS',
    resources: (raw.resources ?? []).map((resource) => ({
      name: resource.name,
      type: resource.type ?? null,
      scopes: (resource.scopes ?? []).map((scope) => (typeof scope === 'string' ? scope : scope.name)),
      patterns: (resource.uris ?? []).map(uriPattern),
    })),
    policies,
  };
}

const authz = loadAuthz(AUTHZ_FILE);

/** The resource whose uris match the path best: a literal uri before any pattern, then the longest pattern. */
function resourceFor(path) {
  let best;
  for (const resource of authz.resources) {
    for (const pattern of resource.patterns) {
      if (!pattern.regex.test(path)) continue;
      const rank = [pattern.literal ? 1 : 0, pattern.uri.length];
      if (!best || rank[0] > best.rank[0] || (rank[0] === best.rank[0] && rank[1] > best.rank[1])) best = { resource, rank };
    }
  }
  return best?.resource;
}

const METHOD_SCOPES = {
  GET: 'inventory:view',
  HEAD: 'inventory:view',
  POST: 'inventory:add',
  PUT: 'inventory:edit',
  PATCH: 'inventory:edit',
  DELETE: 'inventory:delete',
};

/** Roles of the token, defensively: a token without realm_access or resource_access has none. */
function tokenHasRole(claims, roleId) {
  const slash = roleId.indexOf('/');
  if (slash < 0) {
    const roles = claims.realm_access?.roles;
    return Array.isArray(roles) && roles.includes(roleId);
  }
  const access = claims.resource_access;
  const client =
    access && typeof access === 'object' && Object.hasOwn(access, roleId.slice(0, slash)) ? access[roleId.slice(0, slash)] : undefined;
  return Array.isArray(client?.roles) && client.roles.includes(roleId.slice(slash + 1));
}

function combine(results, strategy) {
  const grants = results.filter(Boolean).length;
  const denies = results.length - grants;
  if (strategy === 'AFFIRMATIVE') return grants > 0;
  if (strategy === 'CONSENSUS') return grants > denies; // a tie denies
  return results.length > 0 && denies === 0; // UNANIMOUS
}

function evaluatePolicy(name, claims, trail = []) {
  const policy = authz.policies.get(name);
  if (!policy || trail.includes(name)) return false; // unknown or circular: deny
  let granted;
  switch (policy.type) {
    case 'role': {
      const roles = (Array.isArray(policy.config.roles) ? policy.config.roles : []).map((entry) => ({
        id: String(typeof entry === 'object' && entry !== null ? entry.id : entry),
        required: typeof entry === 'object' && entry !== null && (entry.required === true || entry.required === 'true'),
      }));
      // Keycloak: every required role must be present, and at least one listed role.
      granted =
        !roles.some((role) => role.required && !tokenHasRole(claims, role.id)) && roles.some((role) => tokenHasRole(claims, role.id));
      break;
    }
    case 'client':
      granted = asList(policy.config.clients).includes(claims.azp);
      break;
    case 'user':
      granted = asList(policy.config.users).includes(claims.preferred_username);
      break;
    case 'aggregate':
      granted = combine(
        asList(policy.config.applyPolicies).map((applied) => evaluatePolicy(applied, claims, [...trail, name])),
        policy.decisionStrategy,
      );
      break;
    default:
      return false; // time, regex, group, js…: not evaluated here, so never a grant
  }
  return policy.logic === 'NEGATIVE' ? !granted : granted;
}

function permissionApplies(permission, resource, scope) {
  const resources = asList(permission.config.resources);
  const type = permission.config.defaultResourceType ?? permission.config.resourceType;
  const onResource =
    resources.includes(resource.name) || (resources.length === 0 && typeof type === 'string' && type !== '' && type === resource.type);
  if (permission.type === 'resource') return onResource;
  if (permission.type !== 'scope') return false;
  return asList(permission.config.scopes).includes(scope) && (resources.length === 0 || onResource);
}

/** Keycloak's decision for resource#scope and the token's roles. */
function decide(resource, scope, claims) {
  if (authz.mode === 'DISABLED') return true;
  const permissions = [...authz.policies.values()].filter((p) => p.type === 'scope' || p.type === 'resource');
  // PERMISSIVE lets a resource through only when no permission at all covers it.
  const anyOnResource = permissions.some(
    (p) => permissionApplies(p, resource, undefined) || resource.scopes.some((s) => permissionApplies(p, resource, s)),
  );
  if (authz.mode === 'PERMISSIVE' && !anyOnResource) return true;
  if (!resource.scopes.includes(scope)) return false;
  // A permission's policies combine by its own strategy (their logic applied); one without policies is ignored.
  const results = permissions
    .filter((permission) => permissionApplies(permission, resource, scope) && asList(permission.config.applyPolicies).length > 0)
    .map((permission) =>
      combine(
        asList(permission.config.applyPolicies).map((name) => evaluatePolicy(name, claims, [permission.name])),
        permission.decisionStrategy,
      ),
    );
  if (results.length === 0) return false; // no permission decides this scope: deny
  // Between permissions on one scope Keycloak's collector knows AFFIRMATIVE; anything else acts as UNANIMOUS.
  return combine(results, authz.decisionStrategy === 'AFFIRMATIVE' ? 'AFFIRMATIVE' : 'UNANIMOUS');
}

// ---------------------------------------------------------------------------------------------
// Authentication

const jwks = createRemoteJWKSet(new URL(`${ISSUER}/protocol/openid-connect/certs`));
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
// A compact JWS is three base64url parts without padding (RFC 7515 §2); anything else is not one of Keycloak's tokens.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

class HttpError extends Error {
  /** `refusal`: why a token was refused, for the log line only (a jose error code, the failed check). */
  constructor(status, body, headers = {}, refusal = undefined) {
    super(body.error_description ?? body.error);
    this.status = status;
    this.body = body;
    this.headers = headers;
    this.refusal = refusal;
  }
}

const challenge = (error, description) =>
  `Bearer realm="${env.KEYCLOAK_REALM}"` + (error ? `, error="${error}", error_description="${description}"` : '');
const unauthorized = (error, description, refusal = description) =>
  new HttpError(
    401,
    error ? { error, error_description: description } : { error: 'unauthorized' },
    { 'WWW-Authenticate': challenge(error, description) },
    refusal,
  );

/** The bearer token of a request, from exactly one Authorization header and nowhere else. */
function extractToken(req) {
  const headerLines = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() === 'authorization') headerLines.push(req.rawHeaders[i + 1]);
  }
  const query = new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '');
  const inQuery = query.has('access_token');
  if (headerLines.length > 1)
    throw new HttpError(
      400,
      { error: 'invalid_request', error_description: 'more than one Authorization header' },
      { 'WWW-Authenticate': challenge('invalid_request', 'more than one Authorization header') },
    );
  if (headerLines.length === 1 && inQuery)
    throw new HttpError(
      400,
      { error: 'invalid_request', error_description: 'token sent in more than one way' },
      { 'WWW-Authenticate': challenge('invalid_request', 'token sent in more than one way') },
    );
  if (headerLines.length === 0) {
    if (inQuery && FAULTS.has('allow-query-token')) return query.get('access_token');
    if (FAULTS.has('anonymous-403')) throw new HttpError(403, { error: 'forbidden' });
    throw unauthorized(); // a query token alone is ignored: RFC 6750 §2.3 is not supported
  }
  const match = /^([A-Za-z]+) +(\S+)$/.exec(headerLines[0].trim());
  if (!match || match[1].toLowerCase() !== 'bearer') throw unauthorized('invalid_request', 'expected a Bearer token');
  const token = match[2];
  if (token.length > MAX_TOKEN_LENGTH) throw unauthorized('invalid_token', 'token too large');
  if (!B64TOKEN.test(token) || !COMPACT_JWS.test(token)) throw unauthorized('invalid_token', 'malformed token');
  return token;
}

// Tokens that passed jwtVerify, by their exact compact form. A client sends the same access token
// on every call until it expires, and the RS256 check (WebCrypto, a thread-pool round trip) was
// most of this middleware's cost per request; gateways cache the same way (Envoy's jwt_authn,
// fast-jwt's verifier cache). Any changed byte is another key, so a forged or altered token is
// verified like the first time; only a success is kept; exp, the one check time can turn, is
// checked again on every use (the rest depend only on the token's bytes); the oldest entry goes
// when the cache is full. The per-request checks below (typ, audience, iat) still run every time.
const VERIFIED_TOKENS_MAX = 1000;
const verifiedTokens = new Map();

/** jose's signature and claim checks, or the claims of the same token verified before and not expired since. */
async function verifiedClaims(token) {
  const cached = verifiedTokens.get(token);
  if (cached !== undefined) {
    if (cached.exp > Math.floor(Date.now() / 1000) - CLOCK_TOLERANCE_S) return cached;
    verifiedTokens.delete(token); // expired: jwtVerify below rejects it as before
  }
  const { payload } = await jwtVerify(token, jwks, {
    issuer: ISSUER,
    algorithms: ['RS256'],
    requiredClaims: ['exp', 'iat'],
    clockTolerance: CLOCK_TOLERANCE_S,
  });
  if (verifiedTokens.size >= VERIFIED_TOKENS_MAX) verifiedTokens.delete(verifiedTokens.keys().next().value);
  // One object serves every later request with this token: nothing downstream may change it.
  const claims = Object.freeze(payload);
  verifiedTokens.set(token, claims);
  return claims;
}

async function verifyToken(token) {
  let claims;
  try {
    claims = await verifiedClaims(token);
  } catch (error) {
    // Keycloak unreachable (or its key set unreadable): not the client's fault.
    if (error instanceof joseErrors.JWKSTimeout || !(error instanceof joseErrors.JOSEError) || error.code === 'ERR_JOSE_GENERIC') {
      console.error(`express-inventory: cannot fetch the realm key set: ${error.message}`);
      throw new HttpError(503, { error: 'temporarily_unavailable' });
    }
    // The client learns nothing more; the log says which check failed (an unknown kid, the issuer…).
    throw unauthorized('invalid_token', 'token rejected', [error.code, error.claim].filter(Boolean).join(' '));
  }
  const now = Math.floor(Date.now() / 1000);
  if (claims.iat > now + CLOCK_TOLERANCE_S) throw unauthorized('invalid_token', 'token issued in the future');
  if (claims.typ !== 'Bearer' && !FAULTS.has('skip-typ-check')) throw unauthorized('invalid_token', 'not an access token');
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(CLIENT_ID) && claims.azp !== CLIENT_ID && !FAULTS.has('skip-audience-check')) {
    throw unauthorized('invalid_token', 'token not issued for this API');
  }
  return claims;
}

async function authenticate(req, res, next) {
  if (EXEMPT_PATHS.includes(req.path)) return next();
  try {
    req.claims = await verifyToken(extractToken(req));
    next();
  } catch (error) {
    next(error);
  }
}

function authorize(req, res, next) {
  if (EXEMPT_PATHS.includes(req.path)) return next();
  if (ITEMS_PATH.test(req.path)) return next(); // authorized per item, by ownership
  const scope = METHOD_SCOPES[req.method];
  if (req.method === 'DELETE' && FAULTS.has('skip-delete-scope')) return next();
  const resource = resourceFor(req.path);
  if (!resource) {
    // No resource protects the path: ENFORCING denies, PERMISSIVE and DISABLED let it through.
    if (authz.mode === 'ENFORCING') return next(new HttpError(403, { error: 'forbidden', scope: scope ?? null }));
    return next();
  }
  if (!scope || !decide(resource, scope, req.claims)) {
    return next(
      new HttpError(
        403,
        { error: 'forbidden', scope: scope ?? null },
        { 'WWW-Authenticate': `Bearer realm="${env.KEYCLOAK_REALM}", error="insufficient_scope", scope="${scope ?? ''}"` },
      ),
    );
  }
  next();
}

// ---------------------------------------------------------------------------------------------
// The API

const items = new Map([
  [1, { id: 1, name: 'hammer', quantity: 10 }],
  [2, { id: 2, name: 'screwdriver', quantity: 25 }],
]);
let nextId = 3;

function itemInput(body) {
  const valid =
    body &&
    typeof body === 'object' &&
    typeof body.name === 'string' &&
    body.name.trim() !== '' &&
    body.name.length <= 200 &&
    Number.isInteger(body.quantity) &&
    body.quantity >= 0;
  if (!valid)
    throw new HttpError(400, { error: 'invalid_item', error_description: 'expected {name: non-empty string, quantity: integer >= 0}' });
  return { name: body.name, quantity: body.quantity };
}

function itemId(req) {
  const id = /^[1-9][0-9]{0,8}$/.test(req.params.id) ? Number(req.params.id) : undefined;
  return id !== undefined && items.has(id) ? id : undefined;
}

const app = express();
app.disable('x-powered-by');
app.set('case sensitive routing', true);
app.set('strict routing', true);
app.set('query parser', false);

app.use((req, res, next) => {
  // One line per request, and why a token was refused; the query string is never logged (it may carry a token).
  res.on('finish', () =>
    console.log(
      `${req.method} ${JSON.stringify(req.originalUrl.split('?')[0]).slice(1, -1)} ${res.statusCode}` +
        (res.locals.refusal ? ` (${res.locals.refusal})` : ''),
    ),
  );
  next();
});

app.get('/health', (req, res) => res.json({ status: 'ok' }));

app.use(authenticate, authorize, express.json({ limit: '16kb' }));

app.get('/api/inventory', (req, res) => res.json([...items.values()]));

app.post('/api/inventory', (req, res) => {
  const item = { id: nextId++, ...itemInput(req.body) };
  items.set(item.id, item);
  res.status(201).location(`/api/inventory/${item.id}`).json(item);
});

app.put('/api/inventory/:id', (req, res) => {
  const input = itemInput(req.body);
  const id = itemId(req);
  if (id === undefined) return res.status(404).json({ error: 'not_found' });
  const item = { id, ...input };
  items.set(id, item);
  res.json(item);
});

app.delete('/api/inventory/:id', (req, res) => {
  const id = itemId(req);
  if (id === undefined) return res.status(404).json({ error: 'not_found' });
  items.delete(id);
  res.status(204).end();
});

// Per-user items, owned by the creating token's sub.
const userItems = new Map();
let nextUserItemId = 1;

/** The item the request names, when the caller owns it or is an inventory admin; else 404 or 403. */
function ownedItem(req, { skipOwnerCheck = false } = {}) {
  const id = /^[1-9][0-9]{0,8}$/.test(req.params.id) ? Number(req.params.id) : undefined;
  const item = id === undefined ? undefined : userItems.get(id);
  if (!item) throw new HttpError(404, { error: 'not_found' });
  const admin = tokenHasRole(req.claims, `${CLIENT_ID}/${ITEMS_ADMIN_ROLE}`);
  if (item.owner !== req.claims.sub && !admin && !skipOwnerCheck) throw new HttpError(403, { error: 'forbidden', reason: 'not the owner' });
  return item;
}

app.post('/api/items', (req, res) => {
  if (typeof req.claims.sub !== 'string' || req.claims.sub === '') throw new HttpError(403, { error: 'forbidden', reason: 'no subject' });
  const item = { id: nextUserItemId++, owner: req.claims.sub, ...itemInput(req.body) };
  userItems.set(item.id, item);
  res.status(201).location(`/api/items/${item.id}`).json(item);
});

app.get('/api/items/:id', (req, res) => res.json(ownedItem(req)));

app.put('/api/items/:id', (req, res) => {
  const existing = ownedItem(req, { skipOwnerCheck: FAULTS.has('skip-item-owner-check') });
  const item = { ...existing, ...itemInput(req.body) };
  userItems.set(item.id, item);
  res.json(item);
});

app.delete('/api/items/:id', (req, res) => {
  userItems.delete(ownedItem(req).id);
  res.status(204).end();
});

app.use((req, res) => res.status(404).json({ error: 'not_found' }));

// Every error becomes a JSON answer: HttpError with its status, body-parser errors as 4xx, the rest 500.
app.use((error, req, res, next) => {
  void next;
  if (error instanceof HttpError) {
    res.locals.refusal = error.refusal;
    res.set(error.headers).status(error.status).json(error.body);
    return;
  }
  const status = Number.isInteger(error.status) && error.status >= 400 && error.status < 500 ? error.status : 500;
  if (status === 500) console.error(`express-inventory: ${error.stack ?? error}`);
  res.status(status).json({ error: status === 500 ? 'internal_error' : 'bad_request' });
});

// HOST: 0.0.0.0 in a container (kcbox sets it for backend.image), else loopback only.
const HOST = process.env.HOST || '127.0.0.1';
const server = app.listen(PORT, HOST, () => {
  console.log(`express-inventory: listening on http://${HOST}:${PORT} (issuer ${ISSUER}, client ${CLIENT_ID}, authz ${AUTHZ_FILE})`);
});
server.on('error', (error) => {
  console.error(`express-inventory: cannot listen on ${HOST}:${PORT}: ${error.message}`);
  process.exit(1);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
