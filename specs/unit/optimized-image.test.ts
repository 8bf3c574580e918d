import { describe, expect, it } from 'vitest';
import type { ImageSummary } from '../../harness/runtime/container/docker-engine.js';
import {
  BASE_IMAGE_LABEL,
  BUILD_OPTIONS_LABEL,
  OPTIMIZED_LABEL,
  OPTIMIZED_RECIPE,
  OPTIMIZED_REPOSITORY,
  derivationDefinition,
  derivationScript,
  firstFileInTar,
  judgeOptimizedImage,
  optimizedImageReference,
} from '../../harness/runtime/container/optimized-image.js';
import { tarArchive } from '../../harness/runtime/container/tar.js';
import { distributionBuildArgs } from '../../harness/runtime/distribution/start-distribution.js';

const BUILD = distributionBuildArgs({});
const BASE_ID = 'sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const admin = { username: 'kcbox-admin', password: 'pw-123' };

/** What the engine reports for a freshly derived image. */
function derived(overrides: { labels?: Record<string, string>; env?: string[] } = {}): ImageSummary {
  return {
    Id: 'sha256:bbbb',
    Config: {
      Env: overrides.env ?? ['PATH=/usr/bin', 'KC_BOOTSTRAP_ADMIN_USERNAME=kcbox-admin', 'KC_BOOTSTRAP_ADMIN_PASSWORD=pw-123'],
      Labels: {
        [OPTIMIZED_LABEL]: OPTIMIZED_RECIPE,
        [BASE_IMAGE_LABEL]: BASE_ID,
        [BUILD_OPTIONS_LABEL]: BUILD.join(' '),
        ...overrides.labels,
      },
    },
  };
}

describe('optimizedImageReference', () => {
  it('names the version and a hash of the build options: other options, another image', () => {
    const plain = optimizedImageReference('26.7.3', BUILD);
    expect(plain).toMatch(new RegExp(`^${OPTIMIZED_REPOSITORY}:26\\.7\\.3-[0-9a-f]{12}$`));
    expect(optimizedImageReference('26.7.3', BUILD)).toBe(plain);
    expect(optimizedImageReference('26.7.3', distributionBuildArgs({ features: ['token-exchange'] }))).not.toBe(plain);
    expect(optimizedImageReference('26.7.0', BUILD)).toMatch(/:26\.7\.0-[0-9a-f]{12}$/);
  });
});

describe('judgeOptimizedImage (reuse or derive again)', () => {
  it('reuses an image derived from the current base with the same options, with the admin it records', () => {
    expect(judgeOptimizedImage(derived(), BASE_ID, BUILD)).toEqual({ usable: true, admin });
  });

  it('derives again when the image is missing, the base image changed, or the options or recipe differ', () => {
    expect(judgeOptimizedImage(undefined, BASE_ID, BUILD)).toEqual({ usable: false, why: 'it is not in the engine yet' });
    expect(judgeOptimizedImage(derived(), 'sha256:cccccccccccccccccc', BUILD)).toEqual({
      usable: false,
      why: 'it was derived from base image aaaaaaaaaaaa, the base is now cccccccccccc',
    });
    expect(judgeOptimizedImage(derived(), BASE_ID, [...BUILD, '--metrics-enabled=true'])).toEqual({
      usable: false,
      why: 'it was built with other options',
    });
    expect(judgeOptimizedImage(derived({ labels: { [OPTIMIZED_LABEL]: '0' } }), BASE_ID, BUILD)).toEqual({
      usable: false,
      why: 'another kcbox derived it differently',
    });
    expect(judgeOptimizedImage(derived({ env: ['PATH=/usr/bin'] }), BASE_ID, BUILD)).toEqual({ usable: false, why: 'it records no admin' });
  });
});

describe('the derivation container', () => {
  it('builds with the dist runtime options, then replaces the shell with a first optimized start', () => {
    const script = derivationScript('26.7.3', distributionBuildArgs({ features: ["it's"] }));
    expect(script).toBe(
      "set -e; '/opt/keycloak/bin/kc.sh' 'build' '--db=dev-file' '--health-enabled=true' '--features=it'\\''s'; " +
        "exec '/opt/keycloak/bin/kc.sh' 'start' '--optimized' '--http-enabled=true' '--hostname-strict=false' '--cache=local' " +
        "'--shutdown-delay=0s' '--shutdown-timeout=1s' '--log-level=info,io.smallrye.health:warn'",
    );
    expect(derivationScript('26.5.6', BUILD)).not.toContain('--shutdown-delay');
  });

  it('carries no kcbox labels (the engine copies them into the image and every server) and records the admin in its environment', () => {
    const definition = derivationDefinition('quay.io/keycloak/keycloak:26.7.3', '26.7.3', BUILD, admin, '127.0.0.1') as {
      Image: string;
      Entrypoint: string[];
      Env: string[];
      Labels?: unknown;
      HostConfig: { PortBindings: Record<string, { HostIp: string }[]> };
    };
    expect(definition.Image).toBe('quay.io/keycloak/keycloak:26.7.3');
    expect(definition.Entrypoint).toEqual(['/bin/sh', '-c']);
    expect(definition.Labels).toBeUndefined();
    expect(definition.Env).toEqual(
      expect.arrayContaining(['KC_BOOTSTRAP_ADMIN_USERNAME=kcbox-admin', 'KC_BOOTSTRAP_ADMIN_PASSWORD=pw-123']),
    );
    expect(definition.HostConfig.PortBindings['9000/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: '' }]);
  });

  it('reads the database file out of the archive the engine sends, past extension headers', () => {
    const content = 'H:2,block:68,clean:1,format:3\n';
    const archive = tarArchive([
      { path: 'PaxHeaders/keycloakdb.mv.db', content: '30 mtime=1700000000.123456789\n', mode: 0o644, uid: 0, gid: 0 },
      { path: 'keycloakdb.mv.db', content, mode: 0o644, uid: 1000, gid: 0 },
    ]);
    // Marks the first entry as a PAX header, as Go's archive/tar writes one (the reader checks no checksum).
    archive[156] = 'x'.charCodeAt(0);
    expect(firstFileInTar(archive)?.toString('latin1')).toBe(content);
    expect(firstFileInTar(tarArchive([]))).toBeUndefined();
  });
});
