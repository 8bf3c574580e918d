import { type ClientFlowFields, loginClientOf, loginClientProblem } from '../tokens/user-login.js';
import type { SpecProblem } from './spec-error.js';
import { callerOf } from './callers.js';
import { flattenRequirement } from './requirements.js';
import { ANONYMOUS, type MatrixSpec, type Requirement, type SourceLocation, type TokenSource } from './types.js';

/** What the live realm holds that a matrix refers to. */
export interface RealmFacts {
  readonly realm: string;
  readonly users: ReadonlyArray<{ readonly username: string; readonly enabled: boolean }>;
  /** With the settings that decide how kcbox logs users in with them. */
  readonly clients: ReadonlyArray<
    ClientFlowFields & {
      readonly clientId: string;
      /** A confidential client whose service account is on. */
      readonly serviceAccountsEnabled?: boolean;
    }
  >;
  /** The resource server's resources and the scopes each one has. */
  readonly resources: ReadonlyArray<{ readonly name: string; readonly scopes: readonly string[] }>;
  /** Every scope the resource server defines. */
  readonly scopes: readonly string[];
  readonly realmRoles: readonly string[];
  /** The roles of the clients the spec's role requirements and fixture users name (absent: no such client). */
  readonly clientRoles: Readonly<Record<string, readonly string[]>>;
  /** Every group path; read only when fixture users or tenants name groups. */
  readonly groups?: readonly string[];
}

const list = (names: Iterable<string>) => [...names].sort().join(', ') || 'none';

/**
 * Checks a spec's references against the realm: users exist, are enabled and have a known password, token clients allow
 * a login flow kcbox can use, and every scope (and resource) an endpoint names exists on the resource
 * server. Each problem points at the line that names the missing thing.
 */
export function realmProblems(
  spec: MatrixSpec,
  facts: RealmFacts,
  loginClient: string,
  passwordOf: (username: string) => string | undefined,
): SpecProblem[] {
  const file = spec.file ?? '<spec>';
  const problems: SpecProblem[] = [];
  const at = (source: SourceLocation | undefined, path: string, message: string) =>
    problems.push({ file, line: source?.line, path, message });

  const fixtures = new Map(spec.keycloak.fixtureUsers.map((user) => [user.username, user]));
  const knownUsers = [...facts.users.map((user) => user.username), ...fixtures.keys()];
  spec.users.forEach((name, index) => {
    const caller = callerOf(spec, name);
    const source = spec.userSources[name];
    if (caller.kind === 'anonymous') return;
    if (caller.kind === 'service-account') {
      const client = facts.clients.find((candidate) => candidate.clientId === caller.clientId);
      if (!client)
        at(source, `users[${index}]`, `unknown client "${caller.clientId}" in realm "${facts.realm}": a service account is a client's`);
      else if (!client.serviceAccountsEnabled)
        at(
          source,
          `users[${index}]`,
          `client "${caller.clientId}" has no service account: make it a confidential client with "serviceAccountsEnabled": true`,
        );
      return;
    }
    const username = caller.username;
    const user = fixtures.get(username) ?? facts.users.find((candidate) => candidate.username === username);
    if (!user)
      at(
        source,
        `users[${index}]`,
        `unknown user "${username}" in realm "${facts.realm}" (users: ${knownUsers.join(', ') || 'none'}; "${ANONYMOUS}" sends no token; declare new ones under keycloak.users)`,
      );
    else if (!user.enabled)
      at(
        source,
        `users[${index}]`,
        `user "${username}" is disabled in realm "${facts.realm}": Keycloak issues it no token; remove it from "users"`,
      );
    else if (passwordOf(username) === undefined)
      at(
        source,
        `users[${index}]`,
        `no password for user "${username}": neither keycloak.passwords nor a realm file gives one in clear; add it under keycloak.passwords`,
      );
  });

  for (const fixture of spec.keycloak.fixtureUsers) {
    const path = `keycloak.users.${fixture.username}`;
    if (facts.users.some((user) => user.username === fixture.username))
      at(
        fixture.source,
        path,
        `user "${fixture.username}" already exists in realm "${facts.realm}" (from the realm file): remove it from keycloak.users or from the realm file`,
      );
    for (const role of fixture.realmRoles)
      if (!facts.realmRoles.includes(role))
        at(fixture.fieldSources.realmRoles, `${path}.realmRoles`, `unknown realm role "${role}" (roles: ${list(facts.realmRoles)})`);
    for (const [clientId, roles] of Object.entries(fixture.clientRoles)) {
      const known = facts.clientRoles[clientId];
      if (!known) at(fixture.fieldSources.clientRoles, `${path}.clientRoles`, `unknown client "${clientId}" in realm "${facts.realm}"`);
      else
        for (const role of roles)
          if (!known.includes(role))
            at(
              fixture.fieldSources.clientRoles,
              `${path}.clientRoles`,
              `client "${clientId}" has no role "${role}" (its roles: ${list(known)})`,
            );
    }
    for (const group of fixture.groups) {
      const normalised = group.replace(/\/+$/, '');
      if (facts.groups && !facts.groups.includes(normalised))
        at(
          fixture.fieldSources.groups,
          `${path}.groups`,
          `unknown group "${group}" in realm "${facts.realm}" (groups: ${list(facts.groups)})`,
        );
    }
  }

  const checkClient = (clientId: string, source: SourceLocation | undefined, path: string) => {
    const client = facts.clients.find((candidate) => candidate.clientId === clientId);
    if (!client) at(source, path, `unknown client "${clientId}" in realm "${facts.realm}"`);
    else {
      const problem = loginClientProblem({ ...loginClientOf({ clientId }, client), flow: spec.keycloak.loginFlow });
      if (problem) at(source, path, `client "${clientId}" ${problem}, so kcbox cannot log users in with it`);
    }
  };
  // Only users log in with it (or with an endpoint's token client): service accounts use their own client.
  const usersLogIn = spec.users.some((name) => callerOf(spec, name).kind === 'user');
  if (usersLogIn)
    checkClient(loginClient, undefined, spec.keycloak.loginClient ? 'keycloak.loginClient' : 'keycloak (default login client)');
  const scopeNames = new Set(facts.scopes);
  const checkPermission = (requirement: Extract<Requirement, { kind: 'scope' }>, source: SourceLocation | undefined, path: string) => {
    if (requirement.resource === undefined) {
      if (!scopeNames.has(requirement.scope)) {
        at(
          source,
          path,
          `unknown scope "${requirement.scope}" on resource server "${spec.keycloak.client}" (scopes: ${[...facts.scopes].sort().join(', ') || 'none'})`,
        );
      }
      return;
    }
    const resource = facts.resources.find((candidate) => candidate.name === requirement.resource);
    if (!resource) {
      at(
        source,
        path,
        `unknown resource "${requirement.resource}" on resource server "${spec.keycloak.client}" (resources: ${facts.resources.map((r) => r.name).join(', ') || 'none'})`,
      );
    } else if (!resource.scopes.includes(requirement.scope)) {
      at(
        source,
        path,
        `resource "${resource.name}" has no scope "${requirement.scope}" (its scopes: ${[...resource.scopes].sort().join(', ') || 'none'})`,
      );
    }
  };
  const tokenClients = new Set<string>();
  spec.endpoints.forEach((endpoint, index) => {
    const path = `endpoints[${index}]`;
    const token: TokenSource = endpoint.token;
    if (token.kind === 'client' && usersLogIn && !tokenClients.has(token.clientId)) {
      tokenClients.add(token.clientId);
      checkClient(token.clientId, endpoint.source, `${path}.token`);
    }
    const checked = [
      { requirement: endpoint.requirement, where: `${path}.${endpoint.requirement.kind === 'scope' ? 'scope' : 'requires'}` },
      ...(endpoint.owner?.kind === 'owner-or' ? [{ requirement: endpoint.owner.requirement, where: `${path}.owner.or` }] : []),
    ];
    for (const { requirement, where } of checked.flatMap((entry) =>
      flattenRequirement(entry.requirement).map((requirement) => ({ requirement, where: entry.where })),
    )) {
      switch (requirement.kind) {
        case 'scope':
          checkPermission(requirement, endpoint.source, where);
          break;
        case 'realm-role':
          if (!facts.realmRoles.includes(requirement.role))
            at(
              endpoint.source,
              where,
              `unknown realm role "${requirement.role}" in realm "${facts.realm}" (roles: ${[...facts.realmRoles].sort().join(', ') || 'none'})`,
            );
          break;
        case 'client-role': {
          const roles = facts.clientRoles[requirement.client];
          if (!roles) at(endpoint.source, where, `unknown client "${requirement.client}" in realm "${facts.realm}"`);
          else if (!roles.includes(requirement.role))
            at(
              endpoint.source,
              where,
              `client "${requirement.client}" has no role "${requirement.role}" (its roles: ${[...roles].sort().join(', ') || 'none'})`,
            );
          break;
        }
        default:
          break;
      }
    }
  });
  const tenants = spec.setup?.tenants;
  if (tenants?.kind === 'groups' && facts.groups)
    tenants.groups.forEach((group, index) => {
      if (!facts.groups?.includes(group))
        at(
          tenants.source,
          `setup.tenants.groups[${index}]`,
          `unknown group "${group}" in realm "${facts.realm}" (groups: ${list(facts.groups ?? [])})`,
        );
    });
  spec.setup?.steps.forEach((step, index) => {
    if (step.token.kind === 'client' && !tokenClients.has(step.token.clientId)) {
      tokenClients.add(step.token.clientId);
      checkClient(step.token.clientId, step.source, `setup.steps[${index}].token`);
    }
  });
  return problems;
}
