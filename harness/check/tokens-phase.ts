import { KcboxError } from '../errors.js';
import { expectedFor } from '../matrix/expectations.js';
import { mintMatrixTokens } from '../matrix/matrix-tokens.js';
import { ANONYMOUS } from '../matrix/types.js';
import { TokenError } from '../tokens/token-error.js';
import type { PhaseContext, RealmPhase, TokensPhase } from '../matrix/phases.js';

/**
 * realm → tokens: one token per user and token kind, and Keycloak's decision for every permission
 * the endpoints need, asked with that very token.
 *
 * @throws KcboxError `ERR_KCBOX_MATRIX_TOKEN` when a user cannot get a token: the matrix cannot run (exit 2).
 */
export async function mintTokens(realm: RealmPhase, context: PhaseContext): Promise<TokensPhase> {
  const { spec } = realm;
  context.step(`minting tokens for ${spec.users.filter((user) => user !== ANONYMOUS).join(', ')} and asking Keycloak's decisions`);
  try {
    const tokens = await mintMatrixTokens(spec, realm.tokenRealm, realm.live, context.concurrency);
    return { ...realm, tokens, expected: (endpoint, user) => expectedFor(endpoint, user, tokens) };
  } catch (error) {
    if (error instanceof TokenError) {
      throw new KcboxError('ERR_KCBOX_MATRIX_TOKEN', `${error.message} The matrix cannot run without this token.`, { cause: error });
    }
    throw error;
  }
}
