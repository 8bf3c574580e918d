import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
export const KCBOX_BIN = 'bin/kcbox.js';

/** Runs the real `kcbox` CLI to completion (killed after `timeoutMs`, default 240 s). */
export async function runKcbox(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 240_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [KCBOX_BIN, ...args], { env, timeout: timeoutMs });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** Starts `kcbox` in the foreground and resolves with its first stdout line (the --json object). */
export async function spawnKcbox(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; firstLine: string }> {
  const child = spawn(process.execPath, [KCBOX_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  const firstLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`kcbox exited with ${code} before printing: ${stderr}`)));
  });
  return { child, firstLine };
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/**
 * The environment for a CLI run against the suite's shared Keycloak: its URL and admin through
 * KCBOX_URL, a state file of the test's own (so no recorded server interferes), no colours.
 */
export function sharedServerEnv(
  server: { readonly url: string; readonly adminCredentials: { readonly username: string; readonly password: string } },
  stateFolder: string,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KCBOX_STATE_FILE: join(stateFolder, 'no-state.json'),
    KCBOX_URL: server.url,
    KCBOX_ADMIN_USER: server.adminCredentials.username,
    KCBOX_ADMIN_PASSWORD: server.adminCredentials.password,
    NO_COLOR: '1',
    ...extra,
  };
}
