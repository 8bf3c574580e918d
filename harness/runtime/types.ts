import type { ImportRealmOptions, RealmHandle } from '../realm/realm-handle.js';
import type { RealmInput } from '../realm/realm-input.js';
import type { AdminCredentials } from './admin-login.js';
import type { KeycloakConnection } from './connection.js';
import type { ProgressListener } from './progress.js';

export type { AdminCredentials, KeycloakConnection };

/** How a server runs: a local Java process, a container, or a server someone else runs. */
export type RuntimeKind = 'dist' | 'container' | 'remote';
export type RuntimeChoice = RuntimeKind | 'auto';

/** A server someone else runs: `url` from env `KCBOX_URL`, the admin from `KCBOX_ADMIN_USER` / `KCBOX_ADMIN_PASSWORD`. */
export type RemoteServerOptions = Omit<KeycloakConnection, 'realmFiles'>;

export interface StartKeycloakOptions {
  /**
   * Default: env `KCBOX_RUNTIME`, else `auto`: remote when `KCBOX_URL` is set, else container when a
   * Docker engine answers and has (or can pull) the Keycloak image, else dist.
   */
  readonly runtime?: RuntimeChoice;
  /** Keycloak version. Default: env `KCBOX_KEYCLOAK_VERSION`, else the version of `KCBOX_DIST`, else {@link DEFAULT_KEYCLOAK_VERSION}. */
  readonly version?: string;
  /** Realm files or objects imported at start. Default none. */
  readonly realms?: readonly RealmInput[];
  /** How long the whole start may take, download and build excluded. Default 180 000 ms. */
  readonly startupTimeoutMs?: number;
  /** Feature flags given to the build (`--features`), e.g. `['token-exchange']`. */
  readonly features?: readonly string[];
  /** Extra runtime options, without dashes: `{ 'log-level': 'info,org.keycloak.authorization:debug' }`. */
  readonly serverOptions?: Readonly<Record<string, string>>;
  /** Extra environment for the Keycloak process or container. */
  readonly env?: Readonly<Record<string, string>>;
  /** dist: the cache folder. Default env `KCBOX_CACHE`, else the user's cache folder. */
  readonly cacheDir?: string;
  /** dist: a distribution zip or unpacked folder to use instead of the cache. Default env `KCBOX_DIST`. */
  readonly distribution?: string;
  /** dist: the Java home to run with. Default env `KCBOX_JAVA_HOME`, else the newest fitting JDK found. */
  readonly javaHome?: string;
  /** dist and container: keep the server running after this process exits (`kcbox up --detach`). Default false. */
  readonly detached?: boolean;
  /**
   * dist on Java 25+: when the installation has no JVM AOT cache yet, record one during this
   * server's run (written at its stop, ~20 s once). Default true for attached servers; false for a
   * server something else may stop, e.g. a foreground `kcbox up` that `kcbox down` can end.
   */
  readonly recordAotCache?: boolean;
  /** remote: the server to use. Default from env `KCBOX_URL`, `KCBOX_ADMIN_USER`, `KCBOX_ADMIN_PASSWORD`. */
  readonly remote?: RemoteServerOptions;
  /**
   * dist and container: serve Keycloak over https only, with a certificate for localhost,
   * 127.0.0.1 and ::1 signed by kcbox's local CA (made once in the cache folder; the server's
   * `caFile` names it). The remote runtime refuses it (`ERR_KCBOX_TLS`). Default false.
   */
  readonly tls?: boolean;
  /** Receives download, unpack, build and start progress. The library itself never prints. */
  readonly onProgress?: ProgressListener;
}

/**
 * What a server needs to be found again by another process (`kcbox status`, `kcbox down`):
 * plain data, written to the state file.
 */
export interface ServerRecord extends KeycloakConnection {
  readonly runtime: RuntimeKind;
  readonly version: string;
  readonly url: string;
  readonly managementUrl: string | undefined;
  readonly adminCredentials: AdminCredentials;
  readonly realms: readonly string[];
  /** Realm name → the file it was imported from, so `kcbox token` can find fixture users and clients. */
  readonly realmFiles: Readonly<Record<string, string>>;
  /** Realms kcbox created and must delete on stop (remote servers). */
  readonly createdRealms: readonly string[];
  readonly logFile: string | undefined;
  /** dist: the server's private home (data, import folder), removed on stop. */
  readonly dataDir: string | undefined;
  /** The Keycloak process (dist) — its process group id. */
  readonly pid: number | undefined;
  /** dist: the watchdog that owns the Keycloak process group. */
  readonly supervisorPid: number | undefined;
  /** container: the container id. */
  readonly containerId: string | undefined;
  readonly startedAt: string;
}

/** A started, ready Keycloak. Stop it with `stop()` or `await using`. */
export interface KeycloakServer extends KeycloakConnection, AsyncDisposable {
  /** Management interface (health, metrics), e.g. http://127.0.0.1:41235; undefined for remote servers. */
  readonly managementUrl: string | undefined;
  readonly version: string;
  readonly runtime: RuntimeKind;
  /** The server's log (dist: kept after stop), undefined when kcbox cannot see it. */
  readonly logFile: string | undefined;
  /** Realms imported at start. */
  readonly realms: readonly string[];
  readonly realmFiles: Readonly<Record<string, string>>;
  /** Plain data to find this server again from another process. */
  toRecord(): ServerRecord;
  /**
   * Creates a realm from a file or object over the admin API; with `{ isolate: true }` a uniquely
   * named copy. On a remote server, `stop()` deletes every realm created this way.
   */
  importRealm(source: RealmInput, options?: ImportRealmOptions): Promise<RealmHandle>;
  /** Ends the server (remote: deletes only the realms kcbox created). Idempotent. */
  stop(): Promise<void>;
}
