import type { KeycloakConnection } from '../runtime/connection.js';
import type { RuntimeKind } from '../runtime/types.js';

/** What the global setup hands to test files: plain data, since it crosses worker boundaries. */
export interface KcboxProvidedServer extends KeycloakConnection {
  readonly managementUrl: string | null;
  readonly version: string;
  readonly runtime: RuntimeKind;
  readonly realms: readonly string[];
  readonly logFile: string | null;
}

declare module 'vitest' {
  export interface ProvidedContext {
    kcbox: KcboxProvidedServer;
  }
}
