import { DockerEngine } from '../../harness/runtime/container/docker-engine.js';
import { probeDocker } from '../../harness/runtime/container/docker-probe.js';
import { keycloakImage } from '../../harness/runtime/container/keycloak-container.js';
import { DEFAULT_KEYCLOAK_VERSION, parseKeycloakVersion } from '../../harness/runtime/distribution/versions.js';
import { type ToolStatus, optionalTool } from './optional-tool.js';

/** The image the container tests run: the default version's, unless KCBOX_KEYCLOAK_VERSION says otherwise. */
export const TEST_IMAGE = keycloakImage(parseKeycloakVersion(process.env.KCBOX_KEYCLOAK_VERSION ?? DEFAULT_KEYCLOAK_VERSION).text);

export interface DockerForTests {
  /** The engine that answers, if one does. */
  readonly engine: DockerEngine | undefined;
  /** Whether the container tests run: an engine answers and holds {@link TEST_IMAGE} (tests never pull). */
  readonly tool: ToolStatus;
}

/**
 * Probes once per test file. A missing engine or image skips the container tests with one line, or
 * fails the file under KCBOX_REQUIRE_DOCKER=1, which `.ci/run` sets once its engine answers and the
 * image is built (`bash .ci/docker-engine.sh`).
 */
export async function dockerForTests(): Promise<DockerForTests> {
  const docker = await probeDocker();
  const engine = docker.available && docker.endpoint ? new DockerEngine(docker.endpoint) : undefined;
  const imagePresent = engine ? await engine.hasImage(TEST_IMAGE).catch(() => false) : false;
  const tool = optionalTool(
    engine ? `the Keycloak image ${TEST_IMAGE} in the local Docker engine` : 'a Docker engine (none answers) with a local Keycloak image',
    () => imagePresent,
    engine
      ? 'bash .ci/docker-engine.sh builds it (or docker load it; tests never pull images)'
      : `bash .ci/docker-engine.sh (as root) installs and starts an engine and builds ${TEST_IMAGE}; or start Docker and build or load the image`,
    { requiredBy: process.env.KCBOX_REQUIRE_DOCKER === '1' ? 'KCBOX_REQUIRE_DOCKER=1' : undefined },
  );
  return { engine, tool };
}

/** Whether the engine still knows the container (in any state). */
export async function containerExists(engine: DockerEngine, id: string): Promise<boolean> {
  const { status } = await engine.call('GET', `/containers/${id}/json`);
  if (status !== 200 && status !== 404) throw new Error(`the engine answered ${status} for container ${id}`);
  return status === 200;
}

/** Whether the container runs. */
export async function containerRunning(engine: DockerEngine, id: string): Promise<boolean> {
  const { status, body } = await engine.call('GET', `/containers/${id}/json`);
  return status === 200 && (JSON.parse(body.toString('utf8')) as { State?: { Running?: boolean } }).State?.Running === true;
}

/** Polls until the container is gone or `ms` pass; whether it is gone. */
export async function containerGone(engine: DockerEngine, id: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!(await containerExists(engine, id))) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
