/**
 * A generated matrix against the Express example: N users (roles admin, user, none in turn) in a
 * copy of the bundled realm, and endpoints cycling through the five kinds of the example (public,
 * view, add, edit, delete). `node dist/bench/generated-matrix.js FOLDER USERS ENDPOINTS` writes it
 * for `kcbox check --matrix FOLDER/matrix.json`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledRealmPath } from '../harness/realm/bundled.js';

export interface GeneratedMatrix {
  readonly realmFile: string;
  readonly matrixFile: string;
  /** The matrix as `parseMatrixSpec` takes it. */
  readonly raw: Record<string, unknown>;
}

export function writeGeneratedMatrix(folder: string, userCount: number, endpointCount: number): GeneratedMatrix {
  const realm = JSON.parse(readFileSync(bundledRealmPath(), 'utf8')) as { users: Array<Record<string, unknown>> };
  const roles = ['inventory-admin', 'inventory-user', undefined];
  const width = String(userCount).length;
  const users = Array.from({ length: userCount }, (_, index) => {
    const role = roles[index % 3];
    return {
      username: `user${String(index + 1).padStart(width, '0')}`,
      enabled: true,
      email: `user${index + 1}@kcbox.test`,
      emailVerified: true,
      firstName: 'Bench',
      lastName: 'User',
      credentials: [{ type: 'password', value: 'bench-password' }],
      ...(role ? { clientRoles: { 'inventory-api': [role] } } : {}),
    };
  });
  const realmFile = join(folder, 'bench-realm.json');
  writeFileSync(
    realmFile,
    JSON.stringify({
      ...realm,
      realm: 'bench',
      users: [...realm.users.filter((user) => String(user.username).startsWith('service-account')), ...users],
    }),
  );
  const kinds = (index: number) => [
    { method: 'GET', path: `/health?probe=${index}`, scope: 'public' },
    { method: 'GET', path: `/api/inventory?page=${index}`, scope: 'Inventory#inventory:view' },
    { method: 'POST', path: `/api/inventory?batch=${index}`, scope: 'Inventory#inventory:add', body: { name: 'bench', quantity: index } },
    {
      method: 'PUT',
      path: `/api/inventory/1?revision=${index}`,
      scope: 'Inventory#inventory:edit',
      body: { name: 'bench', quantity: index },
    },
    { method: 'DELETE', path: `/api/inventory/${1000 + index}`, scope: 'Inventory#inventory:delete' },
  ];
  const endpoints = Array.from({ length: Math.ceil(endpointCount / 5) }, (_, index) => kinds(index))
    .flat()
    .slice(0, endpointCount);
  const raw = {
    keycloak: { realm: realmFile, client: 'inventory-api' },
    backend: { command: 'node server.mjs', cwd: resolve('examples/express-inventory'), ready: '/health' },
    status: 'strict',
    users: users.map((user) => user.username),
    endpoints,
  };
  const matrixFile = join(folder, 'matrix.json');
  writeFileSync(matrixFile, JSON.stringify(raw, null, 2));
  return { realmFile, matrixFile, raw };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [folder, users, endpoints] = process.argv.slice(2);
  if (!folder) throw new Error('usage: node dist/bench/generated-matrix.js FOLDER [USERS=100] [ENDPOINTS=100]');
  const written = writeGeneratedMatrix(resolve(folder), Number(users ?? 100), Number(endpoints ?? 100));
  process.stdout.write(`${written.matrixFile}\n`);
}
