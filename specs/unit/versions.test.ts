import { describe, expect, it } from 'vitest';
import {
  DEFAULT_KEYCLOAK_VERSION,
  javaRequirementFor,
  parseKeycloakVersion,
  supportsShutdownDelay,
} from '../../harness/runtime/distribution/versions.js';

describe('parseKeycloakVersion', () => {
  it('accepts MAJOR.MINOR.PATCH of 26.x', () => {
    expect(parseKeycloakVersion(' 26.5.6 ')).toMatchObject({ major: 26, minor: 5, patch: 6, text: '26.5.6' });
    expect(parseKeycloakVersion(DEFAULT_KEYCLOAK_VERSION).text).toBe(DEFAULT_KEYCLOAK_VERSION);
  });

  it.each(['latest', '26', '26.7', '26.7.3-SNAPSHOT', ''])('refuses %j with the expected form and the flag name', (text) => {
    expect(() => parseKeycloakVersion(text, '--keycloak')).toThrow(
      expect.objectContaining({
        code: 'ERR_KCBOX_VERSION',
        message: expect.stringMatching(/^--keycloak ".*" is invalid: expected MAJOR\.MINOR\.PATCH/),
      }),
    );
  });

  it('refuses majors other than 26, naming the supported one', () => {
    expect(() => parseKeycloakVersion('25.0.6')).toThrow(
      expect.objectContaining({ code: 'ERR_KCBOX_VERSION', message: expect.stringContaining('26.x') }),
    );
  });
});

describe('version-dependent facts', () => {
  it('passes the shutdown options only to versions that know them', () => {
    expect(supportsShutdownDelay(parseKeycloakVersion('26.5.6'))).toBe(false);
    expect(supportsShutdownDelay(parseKeycloakVersion('26.7.0'))).toBe(true);
  });

  it('runs 26.x on Java 17 to 25', () => {
    expect(javaRequirementFor(parseKeycloakVersion('26.4.7'))).toEqual({ min: 17, max: 25 });
  });
});
