/**
 * kcbox's benchmark: `npm run bench` (or `npm run bench -- --quick`). Prints a table and writes
 * bench/results.json. Every figure is a median over several runs with min and max; every ratio is
 * computed from figures of this same run.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import pLimit from 'p-limit';
import { checkMatrix } from '../harness/check/check-matrix.js';
import { loadMatrixSpecSync, parseMatrixSpec } from '../harness/matrix/spec-load.js';
import { bundledRealmPath } from '../harness/realm/bundled.js';
import { fixtureClient } from '../harness/realm/fixtures.js';
import { cacheLayout, cacheRoot } from '../harness/runtime/distribution/cache.js';
import { chooseJava, findJavaInstallations } from '../harness/runtime/distribution/java.js';
import { DEFAULT_KEYCLOAK_VERSION, javaRequirementFor, parseKeycloakVersion } from '../harness/runtime/distribution/versions.js';
import type { StartProgress } from '../harness/runtime/progress.js';
import { startKeycloak } from '../harness/runtime/start-keycloak.js';
import type { KeycloakServer } from '../harness/runtime/types.js';
import { clientCredentialsGrant, passwordGrant, rptGrant } from '../harness/tokens/token-client.js';
import { byHandStart } from './by-hand.js';
import { regressions } from './compare.js';
import { writeGeneratedMatrix } from './generated-matrix.js';
import { javaOfGroup, peakRssMb } from './memory.js';
import { type Figure, figure, repeat, seconds } from './stats.js';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results.json' },
    strict: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const quick = flags.quick ?? false;
const RUNS = quick
  ? { cold: 1, warm: 3, byHand: 2, imports: 3, tokens: 1, matrix: 2, check: 3, scale: 1, e2e: 2 }
  : { cold: 2, warm: 5, byHand: 3, imports: 5, tokens: 3, matrix: 3, check: 5, scale: 3, e2e: 3 };
const SECTIONS = ['cold', 'by-hand', 'warm', 'imports', 'tokens', 'matrix', 'checks', 'e2e'] as const;
/** `--only checks,e2e`: just those sections (figures of the others are carried over from the previous results.json). */
const only = new Set(flags.only?.split(',') ?? SECTIONS);
const unknownSections = [...only].filter((name) => !(SECTIONS as readonly string[]).includes(name));
if (unknownSections.length > 0) throw new Error(`--only: unknown ${unknownSections.join(', ')}; sections: ${SECTIONS.join(', ')}`);
const realmFile = bundledRealmPath();
const realm = JSON.parse(readFileSync(realmFile, 'utf8')) as {
  realm: string;
  passwordPolicy?: string;
  users: Array<Record<string, unknown>>;
};
const version = DEFAULT_KEYCLOAK_VERSION;
const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

const results: Record<string, unknown> = { date: new Date().toISOString(), quick, node: process.version, version };
const figures: Record<string, Figure> = {};
const record = (name: string, samples: number[]) => (figures[name] = figure(samples));

async function coldStart() {
  const samples = { total: [] as number[], download: [] as number[], unpack: [] as number[], build: [] as number[], start: [] as number[] };
  await repeat(RUNS.cold, async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'kcbox-bench-cache-'));
    const first: Partial<Record<StartProgress['phase'], number>> = {};
    const began = performance.now();
    const server = await startKeycloak({
      runtime: 'dist',
      cacheDir,
      realms: [realmFile],
      onProgress: (event) => (first[event.phase] ??= performance.now()),
    });
    const ready = performance.now();
    await server.stop();
    await rm(cacheDir, { recursive: true, force: true });
    const at = (phase: StartProgress['phase']) => first[phase] ?? began;
    samples.total.push(ready - began);
    samples.download.push(at('unpack') - began);
    samples.unpack.push(at('build') - at('unpack'));
    samples.build.push(at('start') - at('build'));
    samples.start.push(ready - at('start'));
  });
  record('cold start (empty cache → ready with realm)', samples.total);
  record('  of which download (mvn or release)', samples.download);
  record('  of which unpack', samples.unpack);
  record('  of which build (kc.sh build)', samples.build);
  record('  of which start to ready', samples.start);
}

async function warmStarts(): Promise<{ starts: number[]; restarts: number[]; jvmRss: number[] }> {
  const starts: number[] = [];
  const restarts: number[] = [];
  const jvmRss: number[] = [];
  await repeat(RUNS.warm, async () => {
    const began = performance.now();
    const server = await startKeycloak({ runtime: 'dist', realms: [realmFile] });
    starts.push(performance.now() - began);
    // Realistic load before reading the JVM's peak: the bundled example's whole check.
    await checkMatrix({ spec: loadMatrixSpecSync('examples/express-inventory/matrix.yaml'), server });
    const pid = server.toRecord().pid;
    const java = pid ? javaOfGroup(pid) : undefined;
    const rss = java ? peakRssMb(java) : undefined;
    if (rss) jvmRss.push(rss);
    const stopping = performance.now();
    await server.stop();
    restarts.push(performance.now() - stopping + starts.at(-1)!);
  });
  record('warm start (cached build → ready with realm)', starts);
  record('warm restart (stop + start)', restarts);
  if (jvmRss.length > 0) record('Keycloak JVM peak RSS, MB (after a check)', jvmRss);
  return { starts, restarts, jvmRss };
}

async function byHand() {
  const java = chooseJava(await findJavaInstallations(), javaRequirementFor(parseKeycloakVersion(version)), version);
  const zip = join(cacheLayout(cacheRoot()).downloads, `keycloak-quarkus-dist-${version}.zip`);
  const samples: number[] = [];
  const rss: number[] = [];
  await repeat(RUNS.byHand, async () => {
    const run = await byHandStart({ zip, version, realmFile, realmName: realm.realm, javaHome: java.home });
    samples.push(run.readyMs);
    if (run.jvmPeakRssMb) rss.push(run.jvmPeakRssMb);
  });
  record('by hand: kc.sh start-dev --import-realm → realm served', samples);
  if (rss.length > 0) record('by hand: JVM peak RSS at ready, MB', rss);
}

async function realmImports(server: KeycloakServer) {
  const samples: number[] = [];
  await repeat(RUNS.imports, async () => {
    const began = performance.now();
    const handle = await server.importRealm(realmFile, { isolate: true });
    samples.push(performance.now() - began);
    await handle.delete();
  });
  record('isolated realm import (what each test file pays)', samples);
}

/** Requests per second of `grant`, `count` of them, `concurrency` at a time. */
async function rate(count: number, concurrency: number, grant: () => Promise<unknown>): Promise<number> {
  const limit = pLimit(concurrency);
  const began = performance.now();
  await Promise.all(Array.from({ length: count }, () => limit(grant)));
  return count / ((performance.now() - began) / 1000);
}

async function tokenRates(server: KeycloakServer) {
  const cheap = await server.importRealm(realmFile, { isolate: true });
  const { passwordPolicy: _ignored, ...defaultHashing } = realm;
  const costly = await server.importRealm({ ...defaultHashing }, { isolate: true });
  try {
    const web = fixtureClient(cheap.representation, 'inventory-web');
    const api = fixtureClient(cheap.representation, 'inventory-api');
    const alice = { username: 'alice', password: 'alice-password' };
    const rates = { cheap: [] as number[], costly: [] as number[], client: [] as number[], rpt: [] as number[] };
    const aliceToken = (await passwordGrant(cheap, web, alice)).accessToken;
    await repeat(RUNS.tokens, async () => {
      rates.cheap.push(await rate(quick ? 100 : 300, 8, () => passwordGrant(cheap, web, alice)));
      rates.costly.push(await rate(quick ? 16 : 40, 8, () => passwordGrant(costly, web, alice)));
      rates.client.push(await rate(quick ? 100 : 300, 8, () => clientCredentialsGrant(cheap, api)));
      rates.rpt.push(await rate(quick ? 100 : 300, 8, () => rptGrant(cheap, aliceToken, { audience: 'inventory-api' })));
    });
    record('password grants/s, test-only hashing (1 iteration)', rates.cheap);
    record("password grants/s, Keycloak's default hashing", rates.costly);
    record('client-credentials grants/s', rates.client);
    record('RPT grants/s', rates.rpt);
  } finally {
    await cheap.delete();
    await costly.delete();
  }
}

async function matrixThroughput(server: KeycloakServer) {
  const folder = await mkdtemp(join(tmpdir(), 'kcbox-bench-matrix-'));
  try {
    const spec = parseMatrixSpec(writeGeneratedMatrix(folder, 20, 50).raw, { baseDir: folder });
    const cellsPerSecond: number[] = [];
    await repeat(RUNS.matrix, async () => {
      const result = await checkMatrix({ spec, server, hostile: false });
      if (!result.passed) throw new Error(`the generated matrix failed: ${result.cells.filter((cell) => !cell.pass).length} cells`);
      cellsPerSecond.push(result.cells.length / ((result.timings?.cellsMs ?? 1) / 1000));
    });
    record(`matrix cells/s, ${spec.endpoints.length} endpoints × ${spec.users.length} users, Express`, cellsPerSecond);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** One `kcbox check --json` process against a running server: its wall time and its own phase timings. */
async function cliCheck(server: KeycloakServer, args: string[]): Promise<{ wallMs: number; timings: Record<string, number> }> {
  const { KCBOX_URL: _remote, ...inherited } = process.env;
  const env = {
    ...inherited,
    KCBOX_URL: server.url,
    KCBOX_ADMIN_USER: server.adminCredentials.username,
    KCBOX_ADMIN_PASSWORD: server.adminCredentials.password,
    NO_COLOR: '1',
  };
  const began = performance.now();
  const child = spawn(process.execPath, ['bin/kcbox.js', 'check', '--json', ...args], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const wallMs = performance.now() - began;
  if (code !== 0) throw new Error(`kcbox check ${args.join(' ')} exited ${code}`);
  const result = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { durationMs: number; timings: Record<string, number> };
  // Outside the check itself: Node's start, module loading, the spec, cleanup and output.
  return { wallMs, timings: { ...result.timings, outsideMs: wallMs - result.durationMs } };
}

/** `kcbox check` processes against the warm server: the bundled example with and without the hostile suite, and 100 × 100. */
async function warmChecks(server: KeycloakServer) {
  const bundled = 'examples/express-inventory/matrix.yaml';
  const full: Array<Record<string, number>> = [];
  const wall = { full: [] as number[], matrixOnly: [] as number[], scale: [] as number[] };
  // Not counted: a server's first imports and grants run before its JIT has compiled them.
  await cliCheck(server, ['--matrix', bundled]);
  await repeat(RUNS.check, async () => {
    const run = await cliCheck(server, ['--matrix', bundled]);
    wall.full.push(run.wallMs);
    full.push(run.timings);
    wall.matrixOnly.push((await cliCheck(server, ['--matrix', bundled, '--no-hostile'])).wallMs);
  });
  record('warm check: bundled example, whole kcbox process', wall.full);
  for (const phase of ['realmMs', 'tokensMs', 'backendMs', 'cellsMs', 'hostileMs', 'outsideMs'])
    record(
      `  of which ${phase.replace('Ms', '')}`,
      full.map((timings) => timings[phase] ?? Number.NaN),
    );
  record('warm check: bundled example --no-hostile, whole kcbox process', wall.matrixOnly);
  const folder = await mkdtemp(join(tmpdir(), 'kcbox-bench-scale-'));
  try {
    const { matrixFile } = writeGeneratedMatrix(folder, 100, 100);
    await repeat(RUNS.scale, async () => wall.scale.push((await cliCheck(server, ['--matrix', matrixFile, '--no-hostile'])).wallMs));
    record('warm check: 100 users × 100 endpoints --no-hostile, whole kcbox process', wall.scale);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** `kcbox check` of the bundled example from a cold process with no server: what `npm start` costs once built. */
async function endToEnd() {
  const wall: number[] = [];
  const rss: number[] = [];
  await repeat(RUNS.e2e, async () => {
    const folder = await mkdtemp(join(tmpdir(), 'kcbox-bench-e2e-'));
    const { KCBOX_URL: _remote, ...inherited } = process.env;
    const env = { ...inherited, KCBOX_STATE_FILE: join(folder, 'state.json'), NO_COLOR: '1' };
    const began = performance.now();
    const child = spawn(process.execPath, ['bin/kcbox.js', 'check', '--matrix', 'examples/express-inventory/matrix.yaml'], {
      env,
      stdio: 'ignore',
    });
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, peakRssMb(child.pid!) ?? 0)), 100);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearInterval(watch);
    wall.push(performance.now() - began);
    if (peak > 0) rss.push(peak);
    await rm(folder, { recursive: true, force: true });
    if (code !== 0) throw new Error(`kcbox check exited ${code}`);
  });
  record('end to end: kcbox check of the bundled example (ephemeral server, hostile suite on)', wall);
  if (rss.length > 0) record('kcbox process peak RSS, MB (end to end)', rss);
}

function ratio(numerator: string, denominator: string): number {
  return (figures[numerator]?.median ?? Number.NaN) / (figures[denominator]?.median ?? Number.NaN);
}

async function main() {
  log(`${quick ? 'quick' : 'full'} run; runs per figure: ${JSON.stringify(RUNS)}; sections: ${[...only].join(', ')}`);
  if (only.has('cold')) {
    log('cold starts');
    await coldStart();
  }
  if (only.has('by-hand')) {
    log('by-hand baseline');
    await byHand();
  }
  if (only.has('warm')) {
    log('warm starts');
    await warmStarts();
  }
  if (['imports', 'tokens', 'matrix', 'checks'].some((section) => only.has(section))) {
    const server = await startKeycloak({ runtime: 'dist', realms: [] });
    try {
      if (only.has('imports')) {
        log('realm imports');
        await realmImports(server);
      }
      if (only.has('tokens')) {
        log('token rates');
        await tokenRates(server);
      }
      if (only.has('matrix')) {
        log('matrix throughput');
        await matrixThroughput(server);
      }
      if (only.has('checks')) {
        log('warm checks');
        await warmChecks(server);
      }
    } finally {
      await server.stop();
    }
  }
  if (only.has('e2e')) {
    log('end to end');
    await endToEnd();
  }
  const out = flags.out ?? 'bench/results.json';
  const previous = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as { date?: string; figures?: Record<string, Figure> }) : {};
  const measured = { ...figures };
  // A partial run keeps the other figures of the previous run, so the targets stay computable.
  for (const [name, value] of Object.entries(previous.figures ?? {})) figures[name] ??= value;

  const targets = [
    {
      name: 'warm start ÷ by-hand start-dev',
      value: ratio('warm start (cached build → ready with realm)', 'by hand: kc.sh start-dev --import-realm → realm served'),
      target: 0.4,
      below: true,
    },
    {
      name: 'isolated import ÷ warm restart',
      value: ratio('isolated realm import (what each test file pays)', 'warm restart (stop + start)'),
      target: 0.1,
      below: true,
    },
    {
      name: 'end-to-end check ÷ warm start',
      value: ratio(
        'end to end: kcbox check of the bundled example (ephemeral server, hostile suite on)',
        'warm start (cached build → ready with realm)',
      ),
      target: 1.5,
      below: true,
    },
    {
      name: 'matrix cells/s',
      value: figures[Object.keys(figures).find((name) => name.startsWith('matrix cells/s')) ?? '']?.median ?? Number.NaN,
      target: 500,
      below: false,
    },
    {
      name: 'warm check, bundled example, s',
      value: (figures['warm check: bundled example, whole kcbox process']?.median ?? Number.NaN) / 1000,
      target: 3,
      below: true,
    },
    {
      name: 'warm check, bundled example --no-hostile, s',
      value: (figures['warm check: bundled example --no-hostile, whole kcbox process']?.median ?? Number.NaN) / 1000,
      target: 2,
      below: true,
    },
    {
      name: 'warm check, 100 × 100 cells, s',
      value: (figures['warm check: 100 users × 100 endpoints --no-hostile, whole kcbox process']?.median ?? Number.NaN) / 1000,
      target: 10,
      below: true,
    },
    {
      name: 'Keycloak JVM peak RSS, MB',
      value: figures['Keycloak JVM peak RSS, MB (after a check)']?.median ?? Number.NaN,
      target: 700,
      below: true,
    },
    {
      name: 'kcbox process peak RSS, MB',
      value: figures['kcbox process peak RSS, MB (end to end)']?.median ?? Number.NaN,
      target: 200,
      below: true,
    },
  ].map((entry) => ({ ...entry, met: entry.below ? entry.value <= entry.target : entry.value >= entry.target }));

  const table = new Table({ head: ['figure', 'median', 'min', 'max', 'runs'] });
  for (const [name, value] of Object.entries(figures)) {
    const show = (n: number) => (/\/s|MB/.test(name) ? n.toFixed(0) : `${seconds(n)} s`);
    table.push([measured[name] ? name : `${name} (previous run)`, show(value.median), show(value.min), show(value.max), value.runs]);
  }
  const targetTable = new Table({ head: ['target', 'measured', 'goal', 'met'] });
  for (const entry of targets)
    targetTable.push([
      entry.name,
      entry.value.toFixed(2),
      `${entry.below ? '≤' : '≥'} ${entry.target}`,
      Number.isNaN(entry.value) ? 'not measured' : entry.met ? 'yes' : 'NO',
    ]);
  process.stdout.write(`${table.toString()}\n${targetTable.toString()}\n`);

  // Against the previous results.json: every figure measured now that is more than 10 % worse is flagged.
  const worse = regressions(previous.figures ?? {}, measured);
  if (previous.figures) {
    const show = (name: string, n: number) => (/\/s|MB/.test(name) ? n.toFixed(0) : `${seconds(n)} s`);
    const worseTable = new Table({ head: [`more than 10 % worse than ${previous.date ?? 'the previous run'}`, 'before', 'now', 'worse'] });
    for (const entry of worse)
      worseTable.push([
        entry.figure,
        show(entry.figure, entry.previous),
        show(entry.figure, entry.current),
        `${(entry.worse * 100).toFixed(0)} %`,
      ]);
    process.stdout.write(
      worse.length > 0 ? `${worseTable.toString()}\n` : `no figure is more than 10 % worse than ${previous.date ?? 'the previous run'}\n`,
    );
  }
  writeFileSync(out, `${JSON.stringify({ ...results, figures, targets, regressions: worse }, null, 2)}\n`);
  log(`written ${out}`);
  // Flagged, not failed: on a shared machine one noisy figure is common; --strict makes it exit 1.
  if (flags.strict && worse.length > 0) process.exitCode = 1;
}

await main();
