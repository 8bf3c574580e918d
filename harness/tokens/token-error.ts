import { KcboxError } from '../errors.js';

export interface TokenRequestContext {
  readonly realm: string;
  readonly grant: string;
  readonly clientId?: string;
  readonly username?: string;
  readonly audience?: string;
}

/** A token request Keycloak refused, with its status, OAuth error and a reason in plain words. */
export class TokenError extends KcboxError {
  constructor(
    message: string,
    readonly status: number,
    readonly error: string | undefined,
    readonly errorDescription: string | undefined,
  ) {
    // A refused token is an outcome, not a usage error: EXIT_CODES gives it 1.
    super('ERR_KCBOX_TOKEN', message);
  }
}

/** Turns Keycloak's OAuth error into a sentence that says why and what to change. */
export function explainTokenError(
  status: number,
  error: string | undefined,
  description: string | undefined,
  context: TokenRequestContext,
): string {
  const sentence = explain(status, error, description, context);
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

function explain(status: number, error: string | undefined, description: string | undefined, context: TokenRequestContext): string {
  const user = context.username ? `user "${context.username}"` : 'the user';
  const client = context.clientId ? `client "${context.clientId}"` : 'the client';
  const where = `realm "${context.realm}"`;
  const said = [error, description].filter(Boolean).join(': ');
  switch (`${error}|${description}`) {
    case 'invalid_grant|Invalid user credentials':
      return `Wrong password for ${user} in ${where} (or no such user).`;
    case 'invalid_grant|Account disabled':
      return `${user} is disabled in ${where}: no token can be issued.`;
    case 'invalid_grant|Account is not fully set up':
      return `${user} cannot log in to ${where}: the account is not fully set up (give it an email, first and last name, and no pending required actions).`;
    case 'unauthorized_client|Client not allowed for direct access grants':
      return `${client} in ${where} does not allow the password grant: set "directAccessGrantsEnabled": true, or let kcbox log in through Keycloak's login form (flow auto or code).`;
    case 'unauthorized_client|Client not enabled to retrieve service account':
      return `${client} in ${where} has no service account: set "serviceAccountsEnabled": true.`;
    case 'access_denied|not_authorized':
      return `Permission denied: Keycloak's policies grant ${user} nothing of what was asked at resource server "${context.audience ?? '?'}" in ${where}.`;
  }
  if (error === 'unauthorized_client' || error === 'invalid_client')
    return `${client} in ${where} was refused (${said}): check the client id and secret.`;
  // Without an audience it was a login asking for OAuth scopes (`scope=`), not a UMA permission.
  if (error === 'invalid_scope' && context.audience === undefined)
    return `${client} in ${where} does not offer the OAuth scopes asked (${said}): make each a default or optional client scope of the client.`;
  if (error === 'invalid_resource' || error === 'invalid_scope')
    return `Resource server "${context.audience ?? '?'}" in ${where} does not know what was asked (${said}).`;
  if (status === 404) return `${where} does not exist on this server (${said || 'HTTP 404'}).`;
  return `Keycloak refused the ${context.grant} grant in ${where} with HTTP ${status}${said ? ` (${said})` : ''}.`;
}
