import { dirname, relative, resolve } from 'node:path';
import { Document, type Node, type YAMLMap, type YAMLSeq, isCollection } from 'yaml';
import { ANONYMOUS } from '../matrix/types.js';
import { loadRealm } from '../realm/realm-input.js';
import { inferRequirement } from './infer-requirement.js';
import { loadOpenApi } from './load-openapi.js';
import { type EnforcerPath, loadPolicyEnforcer } from './policy-enforcer.js';
import { chooseCallers, realmHints } from './realm-hints.js';
import { sampleRequest } from './samples.js';

export interface InitMatrixOptions {
  /** The OpenAPI 3.0/3.1 document (YAML or JSON). */
  readonly openapi: string;
  /** A realm file: resource server, Authorization Services resources, users and their roles. */
  readonly realm?: string | undefined;
  /** A policy enforcer configuration (keycloak.json with `policy-enforcer.paths`). */
  readonly policyEnforcer?: string | undefined;
  /** Where the matrix will be written: paths in it are relative to its folder. */
  readonly out: string;
}

export interface InitMatrix {
  /** The matrix file's text, every guess with a `# guess:` comment. */
  readonly text: string;
  readonly operations: number;
  /** How many values are marked `guess:` for review. */
  readonly guesses: number;
}

/** Where a backend runs locally unless the document's server says localhost. */
const DEFAULT_BACKEND = 'http://127.0.0.1:8080';

/** A relative path for the matrix file, with forward slashes and `./` when it starts with a dot-less name. */
function fromOut(out: string, file: string): string {
  const path = relative(dirname(resolve(out)), resolve(file))
    .split('\\')
    .join('/');
  return path || '.';
}

/** A comment stays one line whatever a document's summary holds. */
const commentText = (text: string): string => ` ${text.replace(/\s+/g, ' ').trim()}`;

function localServer(url: string | undefined): string | undefined {
  if (!url || !URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  return ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname) ? parsed.origin : undefined;
}

/**
 * Writes a matrix file for an OpenAPI document that a person only has to review: one entry per
 * operation with its requirement (see `inferRequirement`), a sampled path and body, callers that
 * cover every role of the realm file's users plus one without roles and `anonymous`, and a YAML
 * comment on every value that is a guess. The `openapi:` key turns on the coverage gate.
 *
 * @throws KcboxError ERR_KCBOX_OPENAPI, ERR_KCBOX_REALM_FILE or ERR_KCBOX_USAGE naming the file that is wrong.
 */
export async function initMatrix(options: InitMatrixOptions): Promise<InitMatrix> {
  const api = await loadOpenApi(options.openapi);
  const realm = options.realm === undefined ? undefined : await loadRealm(options.realm);
  const enforcer: EnforcerPath[] = options.policyEnforcer === undefined ? [] : await loadPolicyEnforcer(options.policyEnforcer);
  const hints = realm ? realmHints(realm.representation) : undefined;
  let guesses = 0;
  const guess = (text: string) => {
    guesses += 1;
    return commentText(`guess: ${text}`);
  };

  const callers = hints ? chooseCallers(hints) : { chosen: [], withoutPassword: [] };
  const users = [...callers.chosen.map((user) => user.username), ANONYMOUS];
  const entries = api.operations.map((operation) => {
    const request = sampleRequest(operation);
    const requirement = inferRequirement(operation, api.document, hints, enforcer);
    return { operation, request, requirement };
  });
  // Two operations sampled to the same request need names to stay apart in the matrix.
  const seen = new Map<string, number>();
  for (const { operation, request } of entries)
    seen.set(`${operation.method} ${request.path}`, (seen.get(`${operation.method} ${request.path}`) ?? 0) + 1);

  const serverUrl = api.document.servers?.[0]?.url;
  const backendUrl = localServer(serverUrl) ?? DEFAULT_BACKEND;
  const document = new Document(
    {
      keycloak: hints
        ? { realm: fromOut(options.out, options.realm!), client: hints.resourceServer ?? 'my-api' }
        : { realmName: 'my-realm', client: 'my-api' },
      backend: { url: backendUrl },
      openapi: { file: fromOut(options.out, options.openapi) },
      users,
      endpoints: entries.map(({ operation, request, requirement }) => ({
        ...((seen.get(`${operation.method} ${request.path}`) ?? 0) > 1 ? { name: operation.operationId ?? operation.key } : {}),
        method: operation.method,
        path: request.path,
        ...(request.contentType ? { headers: { 'content-type': request.contentType } } : {}),
        requires: requirement.requires,
        ...(request.body !== undefined ? { body: request.body } : {}),
      })),
    },
    { aliasDuplicateObjects: false },
  );

  document.commentBefore =
    commentText(
      `Written by \`kcbox init\` from ${fromOut(options.out, options.openapi)}${options.realm ? ` and ${fromOut(options.out, options.realm)}` : ''}${options.policyEnforcer ? ` and ${fromOut(options.out, options.policyEnforcer)}` : ''}.`,
    ) +
    `\n${commentText('Review every value marked "guess:", fix what is wrong, then delete the comment. kcbox check --matrix THIS_FILE')}\n${commentText('fails (exit 1) for every operation of the OpenAPI document that has no entry here and no openapi.skip with a reason.')}`;

  const at = <T extends Node>(path: readonly (string | number)[]) => document.getIn(path, true) as T;
  if (hints) {
    at(['keycloak', 'client']).comment = hints.resourceServer
      ? guess("the client with Authorization Services, or the realm's first confidential / bearer-only client")
      : guess('the realm file has no client that looks like an API: name your resource server');
  } else {
    at(['keycloak', 'realmName']).comment = guess('no --realm given: name the realm (or realm: FILE for an isolated copy)');
    at(['keycloak', 'client']).comment = guess('the resource server client');
  }
  at(['backend', 'url']).comment = localServer(serverUrl)
    ? guess(`the document's server ${serverUrl}; add command: to let kcbox start the backend`)
    : guess('where the backend listens; add command: (and url: http://127.0.0.1:${PORT}) to let kcbox start it');
  at<YAMLMap>(['openapi']).flow = true;
  at(['openapi']).comment = commentText(
    'coverage gate; skip: [{operation: "GET /health", reason: "..."}] for operations left out on purpose',
  );
  const userList = at<YAMLSeq>(['users']);
  userList.flow = true;
  userList.comment = hints
    ? guess(
        `one caller per distinct set of roles and groups of the realm file's users, one without any, and anonymous (no token)${
          callers.withoutPassword.length > 0
            ? `; without a password in the realm file: ${callers.withoutPassword.join(', ')} (add keycloak.passwords to use them)`
            : ''
        }`,
      )
    : guess('no --realm given: list the fixture users');

  entries.forEach(({ operation, request, requirement }, index) => {
    const item = at<YAMLMap>(['endpoints', index]);
    const summary = operation.operation.summary ?? operation.operationId;
    item.commentBefore = commentText(`${operation.key}${summary ? `: ${summary}` : ''}`);
    const requires = at<Node>(['endpoints', index, 'requires']);
    if (isCollection(requires)) requires.flow = true;
    requires.comment = requirement.note.startsWith('guess: ') ? guess(requirement.note.slice(7)) : commentText(requirement.note);
    const pathNotes = request.notes.filter((note) => !note.startsWith('body'));
    if (pathNotes.length > 0)
      at(['endpoints', index, 'path']).comment = guess(`${pathNotes.join('; ')}: use values that exist in the backend`);
    const bodyNote = request.notes.find((note) => note.startsWith('body'));
    if (request.body !== undefined && bodyNote) {
      const body = at<Node>(['endpoints', index, 'body']);
      if (isCollection(body)) body.flow = true;
      body.comment = guess(`${bodyNote}; a body the backend accepts, so that an allowed call is not refused as invalid`);
    }
  });

  const text = document.toString({ lineWidth: 0, flowCollectionPadding: false });
  return { text: text.endsWith('\n') ? text : `${text}\n`, operations: api.operations.length, guesses };
}
