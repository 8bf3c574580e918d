import { afterEach, describe, expect, it, vi } from 'vitest';
import { decideTool, optionalTool, requiredByCi } from '../support/optional-tool.js';

const chromium = { name: 'Chromium at /usr/bin/chromium', installHint: 'apt-get install chromium' };

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('decideTool', () => {
  it('a present tool is available, required or not', () => {
    expect(decideTool({ ...chromium, present: true })).toEqual({ available: true });
    expect(decideTool({ ...chromium, present: true, requiredBy: 'CI=true' })).toEqual({ available: true });
  });

  it('a missing tool skips with one line naming what to install', () => {
    expect(decideTool({ ...chromium, present: false })).toEqual({
      available: false,
      reason: 'needs Chromium at /usr/bin/chromium: apt-get install chromium',
    });
    expect(decideTool({ name: 'a\ntool', installHint: 'get\n  it ', present: false })).toEqual({
      available: false,
      reason: 'needs a tool: get it',
    });
  });

  it('a missing tool that is required throws, naming what to install and why', () => {
    expect(() => decideTool({ ...chromium, present: false, requiredBy: 'CI=true' })).toThrow(
      new Error('needs Chromium at /usr/bin/chromium: apt-get install chromium (required because CI=true)'),
    );
  });
});

describe('requiredByCi', () => {
  it('requires every tool only when CI is exactly "true"', () => {
    expect(requiredByCi({ CI: 'true' })).toBe('CI=true');
    expect(requiredByCi({})).toBeUndefined();
    expect(requiredByCi({ CI: 'false' })).toBeUndefined();
    expect(requiredByCi({ CI: '1' })).toBeUndefined();
  });
});

describe('optionalTool', () => {
  it('outside CI: a missing tool skips and says why once', () => {
    vi.stubEnv('CI', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(optionalTool(chromium.name, () => false, chromium.installHint)).toEqual({
      available: false,
      reason: 'needs Chromium at /usr/bin/chromium: apt-get install chromium',
    });
    expect(warn.mock.calls).toEqual([['skipped: needs Chromium at /usr/bin/chromium: apt-get install chromium']]);
  });

  it('a probe that throws counts as missing', () => {
    vi.stubEnv('CI', '');
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const probe = () => {
      throw new Error('spawnSync /usr/bin/python3 ENOENT');
    };
    expect(optionalTool('Django', probe, 'bash install.sh')).toEqual({ available: false, reason: 'needs Django: bash install.sh' });
  });

  it('with CI=true a missing tool throws and nothing is skipped', () => {
    vi.stubEnv('CI', 'true');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(() => optionalTool(chromium.name, () => false, chromium.installHint)).toThrow(
      'needs Chromium at /usr/bin/chromium: apt-get install chromium (required because CI=true',
    );
    expect(warn).not.toHaveBeenCalled();
  });

  it('a present tool is available and prints nothing, in CI or not', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const ci of ['true', '']) {
      vi.stubEnv('CI', ci);
      expect(optionalTool(chromium.name, () => true, chromium.installHint)).toEqual({ available: true });
    }
    expect(warn).not.toHaveBeenCalled();
  });

  it('an explicit requiredBy overrides CI: undefined always skips, a reason always requires', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.stubEnv('CI', 'true');
    expect(optionalTool('Docker', () => false, 'start it', { requiredBy: undefined })).toEqual({
      available: false,
      reason: 'needs Docker: start it',
    });
    vi.stubEnv('CI', '');
    expect(() => optionalTool('Docker', () => false, 'start it', { requiredBy: 'KCBOX_REQUIRE_DOCKER=1' })).toThrow(
      'needs Docker: start it (required because KCBOX_REQUIRE_DOCKER=1)',
    );
  });
});
