import { describeError } from '../../errors.js';
import { DEFAULT_KEYCLOAK_VERSION } from '../distribution/versions.js';
import { DockerEngine } from './docker-engine.js';
import { probeDocker } from './docker-probe.js';
import { keycloakImage } from './keycloak-container.js';

/** Whether the container runtime can start Keycloak here, and why (one line, for `auto`'s choice). */
export interface ContainerAvailability {
  readonly usable: boolean;
  readonly reason: string;
}

/** How long the registry may take to say whether it serves the image. */
const REGISTRY_TIMEOUT_MS = 5_000;

/**
 * The container runtime is usable when an engine answers and holds the Keycloak image, or the
 * image's registry serves it (asked through the engine, nothing pulled). Never throws.
 */
export async function containerAvailability(
  options: { env?: NodeJS.ProcessEnv; version?: string | undefined } = {},
): Promise<ContainerAvailability> {
  const env = options.env ?? process.env;
  const docker = await probeDocker(env);
  if (!docker.available || !docker.endpoint) return { usable: false, reason: `no Docker engine answers (${docker.tried.join('; ')})` };
  const image = keycloakImage(options.version ?? env.KCBOX_KEYCLOAK_VERSION ?? DEFAULT_KEYCLOAK_VERSION);
  const engine = new DockerEngine(docker.endpoint);
  try {
    if (await engine.hasImage(image)) return { usable: true, reason: `the Docker engine at ${docker.endpoint} holds ${image}` };
  } catch (error) {
    return {
      usable: false,
      reason: `the Docker engine at ${docker.endpoint} could not say whether it holds ${image}: ${describeError(error)}`,
    };
  }
  const refused = await engine.registryServes(image, REGISTRY_TIMEOUT_MS);
  if (refused === undefined)
    return { usable: true, reason: `${image} is not in the Docker engine yet; its registry serves it: pulling it` };
  return {
    usable: false,
    reason: `a Docker engine answers, but ${image} is not in it and its registry does not serve it (${refused}); docker pull or build it to use the container runtime`,
  };
}
