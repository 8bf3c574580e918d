import { KcboxError } from '../../errors.js';

/**
 * The Keycloak version kcbox starts when none is given: the newest 26.x that was obtained and
 * started on kcbox's reference machines (see README, "Keycloak and Java versions").
 */
export const DEFAULT_KEYCLOAK_VERSION = '26.7.3';

export interface KeycloakVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly text: string;
}

const VERSION_PATTERN = /^(\d+)\.(\d+)\.(\d+)$/;

/**
 * Parses `MAJOR.MINOR.PATCH`. kcbox drives the Quarkus distribution's command line, whose options
 * it knows for 26.x only, so other majors are refused up front rather than failing mid-start.
 */
export function parseKeycloakVersion(text: string, source = 'Keycloak version'): KeycloakVersion {
  const match = VERSION_PATTERN.exec(text.trim());
  if (!match) {
    throw new KcboxError(
      'ERR_KCBOX_VERSION',
      `${source} "${text}" is invalid: expected MAJOR.MINOR.PATCH such as ${DEFAULT_KEYCLOAK_VERSION}.`,
    );
  }
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (major !== 26) {
    throw new KcboxError(
      'ERR_KCBOX_VERSION',
      `${source} "${text}" is not supported: kcbox runs Keycloak 26.x (default ${DEFAULT_KEYCLOAK_VERSION}).`,
    );
  }
  return { major, minor, patch, text: `${major}.${minor}.${patch}` };
}

function atLeast(version: KeycloakVersion, minor: number): boolean {
  return version.major > 26 || (version.major === 26 && version.minor >= minor);
}

/** The Java feature releases a Keycloak version runs on (measured, see README). */
export interface JavaRequirement {
  readonly min: number;
  readonly max: number;
}

export function javaRequirementFor(_version: KeycloakVersion): JavaRequirement {
  // Measured (README): 26.4.7, 26.5.6, 26.7.0 and 26.7.3 each start on Java 17 and on Java 25,
  // although upstream calls 17 deprecated and supports 25 officially only from 26.6.
  return { min: 17, max: 25 };
}

/**
 * `--shutdown-delay`/`--shutdown-timeout` exist in 26.7.0 and not in 26.5.6 (26.6 could not be
 * obtained to check); an older server refuses unknown options and exits, so they are only passed
 * where measured.
 */
export function supportsShutdownDelay(version: KeycloakVersion): boolean {
  return atLeast(version, 7);
}
