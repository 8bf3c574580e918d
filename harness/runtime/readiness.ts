import { request } from 'undici';
import { keycloakDispatcher } from '../tls/trust.js';
import { KcboxError, describeError } from '../errors.js';
import { type AdminCredentials, tryAdminLogin } from './admin-login.js';

/**
 * One condition a starting server must meet. Checks compose: a server is ready when each of its
 * checks passes, in order, before one shared deadline.
 */
export interface ReadinessCheck {
  readonly description: string;
  /** Undefined when the condition holds, else what was seen (kept for the timeout message). */
  probe(): Promise<string | undefined>;
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await request(url, { dispatcher: keycloakDispatcher(), headersTimeout: 5_000, bodyTimeout: 5_000 });
  return { status: response.statusCode, body: await response.body.text() };
}

/** `/health/ready` on the management interface answers 200 with status UP. */
export function healthReady(managementUrl: string): ReadinessCheck {
  const url = `${managementUrl}/health/ready`;
  return {
    description: `${url} is UP`,
    async probe() {
      try {
        const { status, body } = await get(url);
        return status === 200 && body.includes('"UP"') ? undefined : `HTTP ${status} ${body.slice(0, 200)}`;
      } catch (error) {
        return describeError(error);
      }
    },
  };
}

/** The admin API accepts a login: health turns UP a moment before the bootstrap admin exists. */
export function adminLoginAccepted(baseUrl: string, credentials: AdminCredentials): ReadinessCheck {
  return {
    description: `admin login as "${credentials.username}" is accepted`,
    async probe() {
      const result = await tryAdminLogin(baseUrl, credentials);
      return result.ok ? undefined : result.reason;
    },
  };
}

export class ReadinessTimeout extends Error {
  constructor(
    readonly check: ReadinessCheck,
    readonly lastSeen: string | undefined,
    readonly timeoutMs: number,
  ) {
    super(`not ready after ${Math.round(timeoutMs / 1000)} s: waiting for ${check.description}; last seen: ${lastSeen ?? 'nothing yet'}`);
  }
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Rejects to end the wait early, e.g. when the process exits. */
  readonly abort?: Promise<never>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitForReadiness(checks: readonly ReadinessCheck[], options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 200;
  let abandoned = false;
  options.abort?.catch(() => (abandoned = true));
  const run = async () => {
    for (const check of checks) {
      for (;;) {
        const lastSeen = await check.probe();
        if (lastSeen === undefined || abandoned) break;
        if (Date.now() >= deadline) throw new ReadinessTimeout(check, lastSeen, options.timeoutMs);
        await sleep(interval);
      }
    }
  };
  await (options.abort ? Promise.race([run(), options.abort]) : run());
}

/**
 * Every realm handed to the start is served. Keycloak skips a realm file silently when the realm
 * already exists or the file is not where it looks, so a ready server can still lack one.
 */
export async function assertRealmsServed(baseUrl: string, realms: readonly { name: string; file: string | undefined }[]): Promise<void> {
  for (const realm of realms) {
    const url = `${baseUrl}/realms/${encodeURIComponent(realm.name)}`;
    const { status } = await get(url).catch((error: unknown) => ({ status: 0, error }));
    if (status !== 200) {
      throw new KcboxError(
        'ERR_KCBOX_REALM_IMPORT',
        `Realm "${realm.name}"${realm.file ? ` from ${realm.file}` : ''} was not imported: ${url} answered ${status || 'nothing'}. See the server log for the import's own message.`,
      );
    }
  }
}
