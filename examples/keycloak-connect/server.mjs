// Inventory API protected by keycloak-connect's policy enforcer: every protected route asks Keycloak
// (UMA grant, response_mode=permissions) for exactly one permission, e.g. Inventory#inventory:view.
// Configuration comes only from the environment kcbox injects (see README.md).

import express from 'express';
import Keycloak from 'keycloak-connect'; // CommonJS: its module.exports is the default import

// ---------------------------------------------------------------------------------------------
// Configuration

function requireEnv(names) {
  const missing = names.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    console.error(`keycloak-connect-inventory: missing environment variable(s): ${missing.join(', ')} (kcbox injects them; see README.md)`);
    process.exit(1);
  }
  return Object.fromEntries(names.map((name) => [name, process.env[name]]));
}

const env = requireEnv([
  'KEYCLOAK_URL',
  'KEYCLOAK_REALM',
  'KEYCLOAK_ISSUER',
  'KEYCLOAK_CLIENT_ID',
  'KEYCLOAK_CLIENT_SECRET',
  'KEYCLOAK_PUBLIC_KEY',
  'PORT',
]);
const PORT = Number(env.PORT);
if (!Number.isInteger(PORT) || PORT <= 0 || PORT > 65535) {
  console.error(`keycloak-connect-inventory: PORT must be a TCP port, got ${JSON.stringify(env.PORT)}`);
  process.exit(1);
}
// keycloak-connect accepts a token only when its iss is exactly `${auth-server-url}/realms/${realm}`
// (it strips trailing slashes from the URL): make sure that is the issuer kcbox announced.
const realmUrl = `${env.KEYCLOAK_URL.replace(/\/+$/, '')}/realms/${env.KEYCLOAK_REALM}`;
if (env.KEYCLOAK_ISSUER !== realmUrl) {
  console.error(
    `keycloak-connect-inventory: KEYCLOAK_ISSUER (${env.KEYCLOAK_ISSUER}) is not KEYCLOAK_URL/realms/KEYCLOAK_REALM (${realmUrl}); keycloak-connect would refuse every token`,
  );
  process.exit(1);
}
// 'realm-public-key' is the bare base64 body: keycloak-connect adds the BEGIN/END lines itself and
// re-wraps the body every 64 characters, so header lines and line breaks must go.
const publicKeyBody = env.KEYCLOAK_PUBLIC_KEY.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
if (!/^[A-Za-z0-9+/]+=*$/.test(publicKeyBody)) {
  console.error('keycloak-connect-inventory: KEYCLOAK_PUBLIC_KEY is not a PEM public key');
  process.exit(1);
}

const KNOWN_FAULTS = {
  'skip-delete-scope': 'DELETE /api/inventory/:id uses keycloak.protect() only (any valid token may delete)',
  'no-local-check': 'protected routes use keycloak.enforcer() alone, without keycloak.protect() in front',
  'no-guard': 'no transport guard: stock keycloak-connect (BEARER refused, crit ignored, header+query and duplicate headers accepted)',
};
const FAULTS = new Set(
  (process.env.FAULT ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
for (const fault of FAULTS) {
  if (!(fault in KNOWN_FAULTS)) {
    console.error(`keycloak-connect-inventory: unknown FAULT "${fault}"; known: ${Object.keys(KNOWN_FAULTS).join(', ')}`);
    process.exit(1);
  }
}
for (const fault of FAULTS) console.log(`keycloak-connect-inventory: FAULT ${fault}: ${KNOWN_FAULTS[fault]}`);

// ---------------------------------------------------------------------------------------------
// keycloak-connect

const keycloak = new Keycloak(
  {},
  {
    realm: env.KEYCLOAK_REALM,
    'auth-server-url': env.KEYCLOAK_URL,
    resource: env.KEYCLOAK_CLIENT_ID,
    credentials: { secret: env.KEYCLOAK_CLIENT_SECRET },
    'bearer-only': true,
    'realm-public-key': publicKeyBody,
    // Off by default: without it a token issued to any client of the realm passes the local check.
    'verify-token-audience': true,
  },
);

/**
 * One enforcer permission. keycloak-connect runs `permission.split(':')` on every entry and keeps
 * parts [0] and [1], so the string 'Inventory:inventory:view' would ask Keycloak for the scope
 * "inventory" (400 invalid_scope → 403 for everybody), and a plain {resource, scope} object makes
 * the enforcer throw (→ 500). A String object whose split() returns [resource, scope] is the one
 * input it carries through unchanged: Keycloak is asked for `Inventory#inventory:view` and the
 * granted scopes are compared with 'inventory:view'. It must be passed inside an array (the
 * enforcer only wraps primitive strings).
 */
function permission(resource, scope) {
  const value = new String(`${resource}:${scope}`);
  value.split = () => [resource, scope];
  return value;
}

/**
 * The guard of one route: protect() first (the token must pass keycloak-connect's local checks —
 * signature with the realm key, exp, typ Bearer, iss, aud), then the enforcer for ONE permission.
 * One permission per route because a UMA request for several permissions succeeds when only some
 * are granted (partial grant).
 */
function requires(resource, scope) {
  const enforce = keycloak.enforcer([permission(resource, scope)]);
  return FAULTS.has('no-local-check') ? [enforce] : [keycloak.protect(), enforce];
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
  return valid ? { name: body.name, quantity: body.quantity } : undefined;
}
const invalidItem = (res) =>
  res.status(400).json({ error: 'invalid_item', error_description: 'expected {name: non-empty string, quantity: integer >= 0}' });

function itemId(req) {
  const id = /^[1-9][0-9]{0,8}$/.test(req.params.id) ? Number(req.params.id) : undefined;
  return id !== undefined && items.has(id) ? id : undefined;
}

const app = express();
app.disable('x-powered-by');
app.set('query parser', false);

app.use((req, res, next) => {
  // One line per request; the query string is never logged (it may carry a token).
  res.on('finish', () => console.log(`${req.method} ${JSON.stringify(req.originalUrl.split('?')[0]).slice(1, -1)} ${res.statusCode}`));
  next();
});

/*
 * What kcbox's hostile suite found in stock keycloak-connect 26.1.1, fixed in front of it:
 * - the auth scheme is matched case-sensitively ("BEARER <valid token>" is refused; RFC 9110 says
 *   schemes are case-insensitive);
 * - a JWS "crit" header is ignored, so a token demanding an extension nobody implements passes
 *   (RFC 7515 §4.1.11 requires refusing it);
 * - a token in both the header and the query, or two Authorization lines, is accepted (RFC 6750 §2).
 */
function transportGuard(req, res, next) {
  const lines = req.rawHeaders.filter((_, index) => index % 2 === 0 && req.rawHeaders[index].toLowerCase() === 'authorization');
  if (lines.length > 1) return res.status(400).json({ error: 'invalid_request', error_description: 'more than one Authorization header' });
  const header = req.headers.authorization;
  const inQuery = new URLSearchParams(req.originalUrl.split('?')[1] ?? '').has('access_token');
  if (header && inQuery) return res.status(400).json({ error: 'invalid_request', error_description: 'token sent in more than one way' });
  if (!header) return next();
  const match = /^bearer[ ]+(\S+)$/i.exec(header);
  if (!match) return res.status(401).set('WWW-Authenticate', 'Bearer error="invalid_request"').json({ error: 'invalid_request' });
  req.headers.authorization = `Bearer ${match[1]}`;
  try {
    const jwsHeader = JSON.parse(Buffer.from(match[1].split('.')[0], 'base64url').toString('utf8'));
    if (jwsHeader && typeof jwsHeader === 'object' && 'crit' in jwsHeader) {
      return res
        .status(401)
        .set('WWW-Authenticate', 'Bearer error="invalid_token"')
        .json({ error: 'invalid_token', error_description: 'unsupported crit header' });
    }
  } catch {
    // Not JSON: keycloak-connect refuses it on its own.
  }
  return next();
}
if (!FAULTS.has('no-guard')) app.use(transportGuard);

// Setup, admin callbacks (k_logout, k_push_not_before), grant attacher (validates the bearer token locally).
app.use(keycloak.middleware());

app.get('/health', (req, res) => res.json({ status: 'ok' }));

const json = express.json({ limit: '16kb' });

app.get('/api/inventory', requires('Inventory', 'inventory:view'), (req, res) => res.json([...items.values()]));

app.post('/api/inventory', requires('Inventory', 'inventory:add'), json, (req, res) => {
  const input = itemInput(req.body);
  if (!input) return invalidItem(res);
  const item = { id: nextId++, ...input };
  items.set(item.id, item);
  res.status(201).location(`/api/inventory/${item.id}`).json(item);
});

app.put('/api/inventory/:id', requires('Inventory', 'inventory:edit'), json, (req, res) => {
  const input = itemInput(req.body);
  if (!input) return invalidItem(res);
  const id = itemId(req);
  if (id === undefined) return res.status(404).json({ error: 'not_found' });
  const item = { id, ...input };
  items.set(id, item);
  res.json(item);
});

const deleteGuard = FAULTS.has('skip-delete-scope') ? [keycloak.protect()] : requires('Inventory', 'inventory:delete');
app.delete('/api/inventory/:id', deleteGuard, (req, res) => {
  const id = itemId(req);
  if (id === undefined) return res.status(404).json({ error: 'not_found' });
  items.delete(id);
  res.status(204).end();
});

app.use((req, res) => res.status(404).json({ error: 'not_found' }));

app.use((error, req, res, next) => {
  void next;
  const status = Number.isInteger(error.status) && error.status >= 400 && error.status < 500 ? error.status : 500;
  if (status === 500) console.error(`keycloak-connect-inventory: ${error.stack ?? error}`);
  res.status(status).json({ error: status === 500 ? 'internal_error' : 'bad_request' });
});

const server = app.listen(PORT, '127.0.0.1', () => {
  console.log(`keycloak-connect-inventory: listening on http://127.0.0.1:${PORT} (realm ${realmUrl}, client ${env.KEYCLOAK_CLIENT_ID})`);
});
server.on('error', (error) => {
  console.error(`keycloak-connect-inventory: cannot listen on 127.0.0.1:${PORT}: ${error.message}`);
  process.exit(1);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
