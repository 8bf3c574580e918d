import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRealm, loadRealms, parseRealmJson } from '../../harness/realm/realm-input.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

describe('realm input', () => {
  it('reports malformed JSON with file, line and column', () => {
    expect(() => parseRealmJson('{\n  "realm": "x",\n  oops\n}', 'realm/x.json')).toThrow(
      /^realm\/x\.json:3:3: malformed JSON: unexpected 'oops' \(strings and property names need double quotes/,
    );
  });

  it('requires a realm name', () => {
    expect(() => parseRealmJson('{"enabled": true}', 'r.json')).toThrow(
      'r.json: field "realm" must be a non-empty string naming the realm.',
    );
    expect(() => parseRealmJson('[]', 'r.json')).toThrow('r.json: expected a JSON object');
  });

  it('names a file it cannot read', async () => {
    await expect(loadRealm('missing/realm.json')).rejects.toMatchObject({
      code: 'ERR_KCBOX_REALM_FILE',
      message: expect.stringContaining('missing/realm.json: cannot read'),
    });
  });

  it('loads files and objects, and refuses two realms of one name', async () => {
    const file = join(tempDir(), 'a-realm.json');
    writeFileSync(file, JSON.stringify({ realm: 'a' }));
    const [fromFile, fromObject] = await loadRealms([file, { realm: 'b' }]);
    expect(fromFile).toMatchObject({ name: 'a', file });
    expect(fromObject).toMatchObject({ name: 'b', file: undefined });
    await expect(loadRealms([file, { realm: 'a' }])).rejects.toThrow(/realm "a" is also defined by/);
  });

  it('loads the bundled realm', async () => {
    const realm = await loadRealm('realm/inventory-realm.json');
    expect(realm.name).toBe('inventory');
  });
});
