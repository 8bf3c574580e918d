import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkMatrix } from '../../harness/check/check-matrix.js';
import { BACKEND_LABEL } from '../../harness/matrix/backend-container.js';
import { loadMatrixSpecSync } from '../../harness/matrix/spec-load.js';
import { OWNER_LABEL } from '../../harness/runtime/container/container-owner.js';
import { kcboxServer } from '../../harness/vitest/index.js';
import { failedCells, whyCellsFailed } from '../support/cells.js';
import { containerGone, dockerForTests } from '../support/docker.js';
import { optionalTool } from '../support/optional-tool.js';

/** Built by .ci/backend-image.sh (after .ci/docker-engine.sh). */
const IMAGE = 'kcbox-example/express-inventory:local';
const MATRIX = 'examples/express-inventory/matrix-container.yaml';

const { engine, tool: docker } = await dockerForTests();
const imagePresent = engine ? await engine.hasImage(IMAGE).catch(() => false) : false;
const tool = docker.available
  ? optionalTool(`the example backend image ${IMAGE}`, () => imagePresent, 'bash .ci/backend-image.sh builds it', {
      requiredBy: process.env.KCBOX_REQUIRE_DOCKER === '1' ? 'KCBOX_REQUIRE_DOCKER=1' : undefined,
    })
  : docker;

/** The backend containers this process (or any) left behind. */
async function backendContainers(): Promise<string[]> {
  return (await engine!.listByLabel(BACKEND_LABEL)).map((container) => container.Id);
}

/** Whether something accepts TCP connections at the URL's host and port. */
async function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise<boolean>((resolve) => {
    const socket = connect(Number(port), hostname);
    const settle = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.once('connect', () => settle(true)).once('error', () => settle(false));
    socket.setTimeout(2_000, () => settle(false));
  });
}

describe.skipIf(!tool.available)('backend.image: the backend in a container beside Keycloak', () => {
  it('passes the express example run from its image, hostile suite included, and leaves nothing behind', async () => {
    const before = await backendContainers();
    const steps: string[] = [];
    const result = await checkMatrix({ spec: loadMatrixSpecSync(MATRIX), server: kcboxServer(), onStep: (step) => steps.push(step) });
    expect(failedCells(result), whyCellsFailed(result)).toEqual([]);
    expect(result.incomplete).toEqual([]);
    expect(result.hostile?.attempts.length ?? 0).toBeGreaterThan(0);
    expect(result.passed).toBe(true);
    expect(result.spec.backendUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // Keycloak as the container and kcbox both reached it: the bridge gateway, never loopback.
    const keycloak = /Keycloak at (http:\/\/[\d.]+:\d+) for it and for kcbox/.exec(steps.join('\n'))?.[1];
    expect(keycloak).toBeDefined();
    expect(keycloak).not.toMatch(/127\.0\.0\.1/);
    // The container's log tail (its last 100 lines), as a command backend's output. The hostile
    // suite's ~230 requests come after the cells', in whatever order they finish: no particular
    // cell's line is sure to be in the tail, but the request log is, up to its very last line.
    const tail = (result.backendOutput ?? '').split('\n');
    expect(tail.length).toBeLessThanOrEqual(100);
    expect(tail.at(-1)).toMatch(/^(GET|POST|PUT|DELETE) \/api\/inventory(\/\d+)? \d{3}( \(.+\))?$/);
    expect(await backendContainers()).toEqual(before);
    expect(await listening(keycloak!)).toBe(false);
  });

  it('fails the cells a broken backend gets wrong: the image env reaches the container', async () => {
    const spec = loadMatrixSpecSync(MATRIX);
    const image = spec.backend.image!;
    const result = await checkMatrix({
      spec: { ...spec, backend: { ...spec.backend, image: { ...image, env: { FAULT: 'skip-delete-scope' } } } },
      server: kcboxServer(),
      hostile: false,
    });
    expect(result.passed).toBe(false);
    expect(failedCells(result)).toEqual(['DELETE /api/inventory/2 × bob', 'DELETE /api/inventory/2 × carol']);
    expect(result.backendOutput).toContain('FAULT skip-delete-scope');
  });

  it('the container watchdog removes the backend container when its starter is killed', async () => {
    const child = spawn(process.execPath, ['specs/fixtures/backend-container-child.mjs', IMAGE, kcboxServer().url], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`the child exited (${code}) before its backend was ready`)));
    });
    expect(JSON.parse(line)).toMatchObject({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    const ours = (await engine!.listByLabel(BACKEND_LABEL)).filter((container) =>
      container.Labels?.[OWNER_LABEL]?.includes(`|${child.pid}|`),
    );
    expect(ours).toHaveLength(1);
    child.kill('SIGKILL');
    expect(await containerGone(engine!, ours[0]!.Id, 60_000)).toBe(true);
  });
});
