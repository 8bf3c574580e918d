/**
 * kcbox as its users get it: `npm pack`, a fresh project that installs the tarball from a temporary
 * folder (with vitest, typescript, express and jose from the npm registry, as a user would), then
 * the CLI through npx, a vitest suite using kcbox/vitest against the bundled realm and a tiny
 * backend, and the public API type-checked under moduleResolution node16 and bundler.
 *
 * Packing uses --ignore-scripts: `prepare` would delete and rebuild dist/ under the other test
 * files that are running from it. `npm test` builds dist/ before any test runs (its script), and the
 * first test checks that every harness module is in the package.
 */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheLayout, cacheRoot } from '../../harness/runtime/distribution/cache.js';
import { optionalTool } from '../support/optional-tool.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const execFileAsync = promisify(execFile);

/**
 * The environment of a user's shell: without what `npm test` and vitest set about this repository
 * (npm's `npm_config_local_prefix` would point npm at it instead of the new project), but with the
 * user's own npm settings (a registry mirror, a proxy); and without KCBOX_URL: the project's setup
 * starts its own Keycloak from the cache.
 */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const dropped =
    /^(npm_config_local_prefix|npm_package_.*|npm_lifecycle_.*|npm_command|npm_execpath|npm_node_execpath|INIT_CWD|VITEST.*|TEST|KCBOX_URL|KCBOX_ADMIN_USER|KCBOX_ADMIN_PASSWORD|KCBOX_STATE_FILE)$/i;
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !dropped.test(name)));
  return { ...env, NO_COLOR: '1', ...extra };
}

const registry = optionalTool(
  'the npm registry (`npm ping` answers)',
  () => {
    execFileSync('npm', ['ping', '--fetch-retries=0', '--fetch-timeout=10000'], { stdio: 'ignore', timeout: 15_000, env: userEnv() });
    return true;
  },
  'a network connection to the npm registry: the test installs the packed kcbox with vitest and typescript as a user would',
);

interface Run {
  readonly code: number;
  readonly stdout: string;
  /** stdout, then stderr (and the error, when it failed). */
  readonly output: string;
}

/** Runs a command to completion. */
async function sh(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = userEnv(), timeout = 170_000): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { cwd, env, timeout, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    const stdout = failed.stdout ?? '';
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout, output: `${stdout}${failed.stderr ?? ''}${String(error)}` };
  }
}

interface PackInfo {
  readonly name: string;
  readonly version: string;
  readonly filename: string;
  readonly files: ReadonlyArray<{ readonly path: string }>;
}

interface Manifest {
  readonly version: string;
  readonly license?: string;
  readonly keywords?: string[];
  readonly repository?: { readonly url?: string };
  readonly engines?: { readonly node?: string };
  readonly bin: Record<string, string>;
  readonly main?: string;
  readonly types?: string;
  readonly files: string[];
  readonly exports: Record<string, string | { readonly types?: string; readonly default?: string }>;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
const clean = (path: string) => path.replace(/^\.\//, '');

/** Every module of harness/ (not declarations), relative to harness/, e.g. `report/sarif-report.ts`. */
function harnessModules(folder = join(ROOT, 'harness')): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return harnessModules(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [relative(join(ROOT, 'harness'), path)] : [];
  });
}

/** What the package may hold: the manifest, the README (and a licence), the CLI, compiled harness/, the bundled realm. */
const BELONGS = /^(package\.json|README\.md|LICENSE|bin\/kcbox\.js|realm\/[\w-]+\.json|dist\/harness\/[\w/.-]+\.(js|cjs|d\.ts))$/;

const MATRIX = `# The bundled realm, as installed, and the Express example backend.
keycloak:
  realm: node_modules/kcbox/realm/inventory-realm.json
  client: inventory-api
backend:
  command: node server.mjs
  cwd: .
  url: http://127.0.0.1:\${PORT}
  ready: /health
  env: {KCBOX_AUTHZ_CONFIG: node_modules/kcbox/realm/inventory-authz-config.json}
status: strict
users: [alice, bob, anonymous]
endpoints:
  - {method: GET, path: /health, scope: public}
  - {method: GET, path: /api/inventory, scope: "Inventory#inventory:view"}
  - {method: DELETE, path: /api/inventory/2, scope: "Inventory#inventory:delete"}
`;

const SETUP = `import { kcboxGlobalSetup } from 'kcbox/vitest';

export default kcboxGlobalSetup();
`;

const VITEST_CONFIG = `import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { globalSetup: ['./kcbox.setup.ts'], testTimeout: 120_000, hookTimeout: 240_000 } });
`;

const SUITE = `import { describe, expect, it } from 'vitest';
import { describeMatrix } from 'kcbox/vitest';

describeMatrix('matrix.yaml', { hostile: { cases: ['none'] } });

describe('toEnforceMatrix', () => {
  it('fails for the backend with a fault', async () => {
    await expect(undefined).not.toEnforceMatrix('matrix.yaml', { env: { ...process.env, FAULT: 'skip-delete-scope' }, hostile: false });
  });
});
`;

/** Uses every entry point and the types a user would name. */
const API = `import {
  REPORT_FORMATS,
  type MatrixResult,
  type ReportFormat,
  type Severity,
  checkExitCode,
  checkMatrix,
  loadMatrixSpec,
  renderReport,
  startKeycloak,
} from 'kcbox';
import { describeMatrix, kcboxGlobalSetup, kcboxServer, type MatrixTestOptions } from 'kcbox/vitest';
import readySetup from 'kcbox/vitest/global-setup';
import { expect } from 'vitest';

export async function sarifOf(file: string, failOn: Severity): Promise<{ sarif: string; exit: number }> {
  await using server = await startKeycloak({ runtime: 'dist', realms: [] });
  const result: MatrixResult = await checkMatrix({ spec: await loadMatrixSpec(file), server, hostile: { failOn } });
  const format: ReportFormat = 'sarif';
  return { sarif: renderReport(result, format), exit: checkExitCode(result) };
}

export const formats: readonly ReportFormat[] = REPORT_FORMATS;
export const setups = [kcboxGlobalSetup({ realms: ['realm.json'] }), readySetup];
export const options: MatrixTestOptions = { hostile: false };
export const url = (): string => kcboxServer().url;
export function suite(): void {
  describeMatrix('matrix.yaml', options);
}
export async function matcher(): Promise<void> {
  await expect('http://127.0.0.1:8000').toEnforceMatrix('matrix.yaml', options);
}
// @ts-expect-error: not a report format
export const unknown: ReportFormat = 'xml';
`;

const tsconfig = (module: string, moduleResolution: string) =>
  `${JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023', 'ESNext.Disposable'],
        module,
        moduleResolution,
        strict: true,
        noEmit: true,
        // kcbox's declarations, and the packages they name, are checked too.
        skipLibCheck: false,
        types: ['node'],
      },
      files: ['api.ts'],
    },
    null,
    2,
  )}\n`;

const folders: string[] = [];
const timings: string[] = [];

/** A step, timed for the closing line. */
async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    timings.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  if (timings.length > 0) console.info(`package-install: ${timings.join(', ')}`);
});

describe('kcbox as published (package.json, npm pack --dry-run)', () => {
  it('has what a published package needs in package.json', () => {
    expect(manifest.keywords).toEqual(expect.arrayContaining(['keycloak', 'vitest']));
    expect(manifest.engines?.node).toMatch(/^>=\d+/);
    expect(manifest.license).toBe('Apache-2.0');
    expect(manifest.files.filter((entry) => !entry.startsWith('!'))).toEqual(['bin', 'dist/harness', 'realm']);
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (subpath === './package.json') continue;
      expect(target, `exports["${subpath}"]`).toEqual({
        types: expect.stringMatching(/\.d\.ts$/),
        default: expect.stringMatching(/\.js$/),
      });
    }
    expect(manifest.types).toBe('./dist/harness/index.d.ts');
  });

  it('npm pack --dry-run lists only the CLI, the compiled harness, the bundled realm and the README', async () => {
    const packed = await step('pack --dry-run', () => sh('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT));
    expect(packed.code, packed.output).toBe(0);
    const [info] = JSON.parse(packed.stdout) as PackInfo[];
    const files = info!.files.map((file) => file.path);
    expect(files.filter((file) => !BELONGS.test(file))).toEqual([]);
    // No tests, benchmarks, examples, sources or source maps: only what runs.
    expect(files.filter((file) => /^(specs|bench|examples|harness)\/|^dist\/(specs|bench)\/|\.map$|\.ts$(?<!\.d\.ts)/.test(file))).toEqual(
      [],
    );
    const missing = harnessModules()
      .flatMap((module) => [module.replace(/\.ts$/, '.js'), module.replace(/\.ts$/, '.d.ts')])
      .map((file) => `dist/harness/${file}`)
      .filter((file) => !files.includes(file));
    expect(missing, 'dist/ lacks modules of harness/: run `npm run build` first').toEqual([]);
    const entryPoints = [
      ...Object.values(manifest.bin),
      ...(manifest.main ? [manifest.main] : []),
      ...(manifest.types ? [manifest.types] : []),
      ...Object.values(manifest.exports).flatMap((target) => (typeof target === 'string' ? [target] : [target.types!, target.default!])),
    ].map(clean);
    expect(entryPoints.filter((file) => !files.includes(file))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['realm/inventory-realm.json', 'realm/inventory-authz-config.json']));
    // The build's standalone schema validator: without it every check compiles the schema again.
    expect(files).toContain('dist/harness/matrix/spec-validator.generated.cjs');
  });
});

describe.skipIf(!registry.available)('kcbox as users install it (npm pack, a fresh project)', () => {
  const temporary = (prefix: string) => {
    const folder = mkdtempSync(join(tmpdir(), prefix));
    folders.push(folder);
    return folder;
  };
  let tarball = '';
  let project = '';

  it('installs from the tarball into a fresh project, with vitest and typescript from the registry', async () => {
    const packFolder = temporary('kcbox-pack-');
    const packed = await step('pack', () => sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packFolder], ROOT));
    expect(packed.code, packed.output).toBe(0);
    tarball = join(packFolder, `kcbox-${manifest.version}.tgz`);
    expect(existsSync(tarball), packed.output).toBe(true);

    project = temporary('kcbox-user-');
    writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'kcbox-user', private: true, type: 'module' }, null, 2)}\n`);
    const devDependencies = ['vitest', 'typescript', '@types/node', 'express', 'jose'].map((name) => {
      const version = (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
      return `${name}@${version}`;
    });
    const installed = await step('npm install', () =>
      sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, ...devDependencies], project),
    );
    expect(installed.code, installed.output).toBe(0);
    const kcbox = JSON.parse(readFileSync(join(project, 'node_modules/kcbox/package.json'), 'utf8')) as Manifest;
    expect(kcbox.version).toBe(manifest.version);
    expect(existsSync(join(project, 'node_modules/kcbox/realm/inventory-realm.json'))).toBe(true);
  }, 180_000);

  it('runs the CLI through npx: --version and check --help', async () => {
    expect(project, 'the install step failed').not.toBe('');
    // `--no`: only the installed kcbox, never one fetched for the occasion; `--` keeps the flags kcbox's.
    const version = await step('npx kcbox', () => sh('npx', ['--no', '--', 'kcbox', '--version'], project));
    expect(version.code, version.output).toBe(0);
    expect(version.stdout).toBe(`${manifest.version}\n`);
    const help = await sh('npx', ['--no', '--', 'kcbox', 'check', '--help'], project);
    expect(help.code, help.output).toBe(0);
    expect(help.output).toContain('--matrix <file>');
    expect(help.output).toMatch(/--report <format=path>[\s\S]*sarif or\s+summary/);
  });

  it('runs a vitest suite with kcboxGlobalSetup, describeMatrix and toEnforceMatrix against the bundled realm', async () => {
    expect(project, 'the install step failed').not.toBe('');
    const cache = cacheRoot();
    expect(
      existsSync(cacheLayout(cache).installs) && readdirSync(cacheLayout(cache).installs).length > 0,
      `no built Keycloak in ${cache}: run \`kcbox fetch\` first`,
    ).toBe(true);
    copyFileSync(join(ROOT, 'examples/express-inventory/server.mjs'), join(project, 'server.mjs'));
    writeFileSync(join(project, 'matrix.yaml'), MATRIX);
    writeFileSync(join(project, 'kcbox.setup.ts'), SETUP);
    writeFileSync(join(project, 'vitest.config.ts'), VITEST_CONFIG);
    writeFileSync(join(project, 'inventory.test.ts'), SUITE);
    // The cached distribution: nothing is downloaded.
    const env = userEnv({ KCBOX_RUNTIME: 'dist', KCBOX_CACHE: cache });
    const run = await step('vitest run', () => sh('npx', ['--no', '--', 'vitest', 'run', '--reporter=verbose'], project, env));
    expect(run.code, run.output).toBe(0);
    for (const name of [
      'scope matrix matrix.yaml > GET /health × anonymous',
      'scope matrix matrix.yaml > DELETE /api/inventory/2 × bob',
      'scope matrix matrix.yaml > hostile token: none',
      'toEnforceMatrix > fails for the backend with a fault',
    ])
      expect(run.output).toContain(name);
    expect(run.output).toMatch(/Tests\s+12 passed \(12\)/);
  }, 180_000);

  it('type-checks the public API under moduleResolution node16 and bundler', async () => {
    expect(project, 'the install step failed').not.toBe('');
    writeFileSync(join(project, 'api.ts'), API);
    writeFileSync(join(project, 'tsconfig.node16.json'), tsconfig('node16', 'node16'));
    writeFileSync(join(project, 'tsconfig.bundler.json'), tsconfig('esnext', 'bundler'));
    for (const config of ['tsconfig.node16.json', 'tsconfig.bundler.json']) {
      const checked = await step(`tsc ${config}`, () => sh('npx', ['--no', '--', 'tsc', '-p', config], project));
      expect(checked.code, `${config}: ${checked.output}`).toBe(0);
    }
  }, 120_000);
});
