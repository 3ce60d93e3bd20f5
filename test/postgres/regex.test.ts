// Patterns use the RE2 syntax on PostgreSQL too (translated, storage/regex.emit.ts): named groups
// work; what the syntax leaves out (\p{…}, lookaround) is 400 BadRequestData naming it, never a 500.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { PG_SKIP, dropSchema, freshSchema, openPgStorage } from '../support/pg.ts';

test('q ~= and idPattern outside the RE2 syntax answer 400 on PostgreSQL; named groups and alternatives match', { skip: PG_SKIP }, async () => {
  const schema = freshSchema();
  const dir = mkdtempSync(join(tmpdir(), 'ds-regex-'));
  const storage = await openPgStorage(schema);
  const app = await buildApp(loadConfig({ DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_AUTH: 'off', DREHSCHEIBE_CONTEXT_REMOTE: 'off' }), { storage });
  try {
    const c = await app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { 'content-type': 'application/json' }, payload: { id: 'urn:ngsi-ld:Bench:herne-1', type: 'Bench', name: { type: 'Property', value: 'Solarbank Herne' } } });
    assert.equal(c.statusCode, 201, c.body);
    const get = (qs: string) => app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities?type=Bench&${qs}` });
    for (const qs of [`q=${encodeURIComponent('name~="(?=Solar)bank"')}`, `q=${encodeURIComponent('name~="\\p{L}+"')}`, `idPattern=${encodeURIComponent('(?<!n)urn:.*')}`]) {
      const r = await get(qs);
      assert.equal(r.statusCode, 400, `${qs}: ${r.body}`);
      const p = r.json() as { type: string; detail: string };
      assert.equal(p.type, 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData');
      assert.match(p.detail, /is not supported|are not supported/);
    }
    for (const qs of [`q=${encodeURIComponent('name~="Solar(bank|dach)"')}`, `q=${encodeURIComponent('name~="(?<w>Solar)bank"')}`, `idPattern=${encodeURIComponent('(?P<n>urn):.*')}`]) {
      const ok = await get(qs);
      assert.equal(ok.statusCode, 200, `${qs}: ${ok.body}`);
      assert.deepEqual((ok.json() as Array<{ id: string }>).map((e) => e.id), ['urn:ngsi-ld:Bench:herne-1'], qs);
    }
  } finally {
    await app.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
    await dropSchema(schema);
  }
});
