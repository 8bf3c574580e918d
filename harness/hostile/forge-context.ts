import type { KeyObject } from 'node:crypto';
import type { ParsedJws } from './jws-parts.js';
import type { ForeignKey, ForgeMaterial, HostileAttempt, HostileCaseId } from './types.js';

/** What every forger gets: the material, the valid token taken apart, and the clock. */
export interface ForgeContext {
  readonly material: ForgeMaterial;
  readonly valid: ParsedJws;
  /** Epoch seconds. */
  readonly nowSeconds: number;
  /** The realm signing key as a KeyObject; undefined when the material has none. */
  readonly realmSigningKey: { readonly privateKey: KeyObject; readonly kid: string } | undefined;
  /** The foreign key, created on first use when the material brings none. */
  readonly foreignKey: () => Promise<ForeignKey>;
}

/** Produces the attempts of one case. */
export type Forger = (context: ForgeContext) => HostileAttempt[] | Promise<HostileAttempt[]>;

/** An attempt that sends `Authorization: Bearer <token>`. */
export function bearerAttempt(caseId: HostileCaseId, variant: string, token: string, note?: string): HostileAttempt {
  return note === undefined
    ? { caseId, variant, authorization: `Bearer ${token}`, token }
    : { caseId, variant, authorization: `Bearer ${token}`, token, note };
}
