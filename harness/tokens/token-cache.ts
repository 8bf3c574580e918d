import type { TokenSet } from './token-client.js';

export type TokenKind = 'access' | 'service-account' | 'rpt';

export interface TokenCacheKey {
  /** The realm's issuer URL: two isolated copies of one realm never share tokens. */
  readonly issuer: string;
  readonly clientId: string;
  readonly username?: string | undefined;
  readonly kind: TokenKind;
  /** Anything else that changes the token (RPT audience and permissions). */
  readonly variant?: string | undefined;
}

export interface TokenCacheOptions {
  /** Renew this long before expiry. Default 30 000 ms. */
  readonly renewBeforeMs?: number;
  /** Milliseconds since the epoch; tests pass a controllable clock. Default Date.now. */
  readonly clock?: () => number;
}

/**
 * Tokens per (realm, client, user, kind), minted once and renewed shortly before they expire, so a
 * test run asks Keycloak once per fixture user. Concurrent requests for one key share one mint.
 */
export class TokenCache {
  private readonly entries = new Map<string, Promise<TokenSet>>();
  private readonly renewBeforeMs: number;
  private readonly clock: () => number;

  constructor(options: TokenCacheOptions = {}) {
    this.renewBeforeMs = options.renewBeforeMs ?? 30_000;
    this.clock = options.clock ?? Date.now;
  }

  async get(key: TokenCacheKey, mint: () => Promise<TokenSet>): Promise<TokenSet> {
    const id = JSON.stringify([key.issuer, key.clientId, key.username ?? '', key.kind, key.variant ?? '']);
    const cached = this.entries.get(id);
    if (cached) {
      const tokens = await cached.catch(() => undefined);
      if (tokens && tokens.expiresAt - this.renewBeforeMs > this.clock()) return tokens;
      if (this.entries.get(id) !== cached) return this.get(key, mint);
    }
    const minting = mint();
    this.entries.set(id, minting);
    // A refused grant is not cached: the next call asks again.
    minting.catch(() => this.entries.get(id) === minting && this.entries.delete(id));
    return minting;
  }

  clear(): void {
    this.entries.clear();
  }
}
