// A slice of the Swagger Petstore (openapi.yaml beside this file) protected with Keycloak access
// tokens, as its security requirements say: the pet operations need the OAuth scopes write:pets
// and read:pets (both) in the token's `scope` claim; GET /pet/{petId} and GET /store/inventory
// accept the api_key scheme, which this slice does not implement, so any valid token will do.
// The store orders, users and image upload are not implemented (the matrix skips them, with why).
// Configuration comes only from the environment kcbox injects (KEYCLOAK_ISSUER, KEYCLOAK_CLIENT_ID, PORT).

import express from 'express';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';

const missing = ['KEYCLOAK_ISSUER', 'KEYCLOAK_CLIENT_ID', 'PORT'].filter((name) => !process.env[name]);
if (missing.length > 0) {
  console.error(`petstore: missing environment variable(s): ${missing.join(', ')} (kcbox injects them)`);
  process.exit(1);
}
const ISSUER = process.env.KEYCLOAK_ISSUER;
const CLIENT_ID = process.env.KEYCLOAK_CLIENT_ID;
const PORT = Number(process.env.PORT);
const BASE = '/api/v3'; // the path of the document's server URL
const jwks = createRemoteJWKSet(new URL(`${ISSUER}/protocol/openid-connect/certs`));

class HttpError extends Error {
  constructor(status, message, headers = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

/** A valid access token of the realm, issued for this API; else 401. */
async function claimsOf(req) {
  const match = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i.exec(req.get('authorization') ?? '');
  if (!match || req.rawHeaders.filter((name, index) => index % 2 === 0 && name.toLowerCase() === 'authorization').length !== 1)
    throw new HttpError(401, 'a Bearer token is required', { 'WWW-Authenticate': 'Bearer' });
  try {
    const { payload } = await jwtVerify(match[1], jwks, { issuer: ISSUER, algorithms: ['RS256'], requiredClaims: ['exp', 'iat'] });
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (payload.typ !== 'Bearer' || !(audiences.includes(CLIENT_ID) || payload.azp === CLIENT_ID)) throw new Error('not for this API');
    // jose checks exp and nbf but not iat: a token issued in the future was not issued by this realm's clock.
    if (payload.iat > Date.now() / 1000 + 5) throw new Error('issued in the future');
    return payload;
  } catch (error) {
    if (error instanceof joseErrors.JWKSTimeout) throw new HttpError(503, 'cannot fetch the realm keys');
    throw new HttpError(401, 'invalid token', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  }
}

/** Middleware: a valid token carrying every scope listed (none: any valid token). */
const requires =
  (...scopes) =>
  async (req, res, next) => {
    try {
      const claims = await claimsOf(req);
      const granted = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
      const lacking = scopes.filter((scope) => !granted.includes(scope));
      if (lacking.length > 0)
        throw new HttpError(403, `needs scope ${lacking.join(' ')}`, {
          'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scopes.join(' ')}"`,
        });
      next();
    } catch (error) {
      next(error);
    }
  };
const PETS = ['write:pets', 'read:pets'];

const pets = new Map([
  [10, { id: 10, name: 'doggie', category: { id: 1, name: 'Dogs' }, photoUrls: [], tags: [], status: 'available' }],
  [11, { id: 11, name: 'kitty', category: { id: 2, name: 'Cats' }, photoUrls: [], tags: [{ id: 1, name: 'cute' }], status: 'sold' }],
]);
let nextId = 100;

function petInput(body) {
  if (!body || typeof body !== 'object' || typeof body.name !== 'string' || !Array.isArray(body.photoUrls))
    throw new HttpError(400, 'expected a Pet: {name, photoUrls, ...}');
  return body;
}
const petIdOf = (req) => (/^[0-9]{1,15}$/.test(req.params.petId) ? Number(req.params.petId) : undefined);

const api = express.Router({ caseSensitive: true, strict: true });
api.put('/pet', requires(...PETS), express.json(), (req, res) => {
  const pet = petInput(req.body);
  if (!pets.has(pet.id)) return res.status(404).json({ message: 'Pet not found' });
  pets.set(pet.id, pet);
  res.json(pet);
});
api.post('/pet', requires(...PETS), express.json(), (req, res) => {
  const pet = { ...petInput(req.body), id: nextId++ };
  pets.set(pet.id, pet);
  res.json(pet);
});
api.get('/pet/findByStatus', requires(...PETS), (req, res) => {
  const status = new URLSearchParams(req.url.split('?')[1] ?? '').get('status') ?? 'available';
  res.json([...pets.values()].filter((pet) => pet.status === status));
});
api.get('/pet/findByTags', requires(...PETS), (req, res) => {
  const tags = new URLSearchParams(req.url.split('?')[1] ?? '').getAll('tags');
  res.json([...pets.values()].filter((pet) => (Array.isArray(pet.tags) ? pet.tags : []).some((tag) => tags.includes(tag?.name))));
});
api.get('/pet/:petId', requires(), (req, res) => {
  const pet = pets.get(petIdOf(req));
  return pet ? res.json(pet) : res.status(404).json({ message: 'Pet not found' });
});
api.post('/pet/:petId', requires(...PETS), (req, res) => {
  const pet = pets.get(petIdOf(req));
  if (!pet) return res.status(404).json({ message: 'Pet not found' });
  const query = new URLSearchParams(req.url.split('?')[1] ?? '');
  if (query.has('name')) pet.name = query.get('name');
  if (query.has('status')) pet.status = query.get('status');
  res.json(pet);
});
api.delete('/pet/:petId', requires(...PETS), (req, res) => {
  if (petIdOf(req) === undefined) return res.status(400).json({ message: 'Invalid pet value' });
  pets.delete(petIdOf(req));
  res.json({ message: 'Pet deleted' });
});
api.get('/store/inventory', requires(), (req, res) => {
  const counts = {};
  for (const pet of pets.values()) counts[pet.status] = (counts[pet.status] ?? 0) + 1;
  res.json(counts);
});

const app = express();
app.disable('x-powered-by');
app.set('query parser', false);
app.get('/health', (req, res) => res.json({ status: 'ok' }));
app.use(BASE, api);
app.use((req, res) => res.status(404).json({ message: 'not found' }));
app.use((error, req, res, next) => {
  void next;
  const status = error instanceof HttpError ? error.status : Number.isInteger(error.status) && error.status < 500 ? error.status : 500;
  if (status === 500) console.error(`petstore: ${error.stack ?? error}`);
  res
    .set(error.headers ?? {})
    .status(status)
    .json({ message: status === 500 ? 'internal error' : error.message });
});

const server = app.listen(PORT, '127.0.0.1', () =>
  console.log(`petstore: listening on http://127.0.0.1:${PORT}${BASE} (issuer ${ISSUER})`),
);
server.on('error', (error) => {
  console.error(`petstore: cannot listen on 127.0.0.1:${PORT}: ${error.message}`);
  process.exit(1);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
