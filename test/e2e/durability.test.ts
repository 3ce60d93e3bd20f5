// An acknowledged write survives kill -9 of the process (SQLite WAL, synchronous=NORMAL),
// and the server starts on its embedded defaults with a fresh data directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../support/server.ts';

test('acknowledged writes survive kill -9 and a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-durable-'));
  try {
    const a = await startServer({ DREHSCHEIBE_DATA_DIR: dir });
    assert.ok(existsSync(join(dir, 'drehscheibe.sqlite')), 'the SQLite file lives in the data dir');
    const N = 200;
    // Concurrent writes, each acknowledged before the kill.
    const results = await Promise.all(Array.from({ length: N }, (_, i) => fetch(a.url + '/ngsi-ld/v1/entities', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: `urn:ngsi-ld:Counter:${i}`, type: 'Counter', n: { type: 'Property', value: i } }),
    })));
    assert.ok(results.every((r) => r.status === 201));
    const patch = await fetch(a.url + '/ngsi-ld/v1/entities/urn:ngsi-ld:Counter:7/attrs', {
      method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: { type: 'Property', value: 777 } }),
    });
    assert.equal(patch.status, 204);
    a.child.kill('SIGKILL');
    await a.exited;

    const b = await startServer({ DREHSCHEIBE_DATA_DIR: dir });
    try {
      const r = await fetch(b.url + '/ngsi-ld/v1/entities?type=Counter&count=true&limit=0');
      assert.equal(r.headers.get('ngsild-results-count'), String(N));
      const e = await (await fetch(b.url + '/ngsi-ld/v1/entities/urn:ngsi-ld:Counter:7?options=keyValues')).json();
      assert.equal(e.n, 777);
    } finally {
      b.child.kill('SIGTERM');
      assert.equal(await b.exited, 0, 'SIGTERM shuts down cleanly');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('invalid configuration stops start-up with every problem listed', async () => {
  await assert.rejects(startServer({ PORT: 'x', LOG_LEVEL: 'loud', DREHSCHEIBE_AUTH: 'off', HOST: '0.0.0.0' }, 30_000), (e: Error) =>
    /PORT/.test(e.message) && /LOG_LEVEL/.test(e.message) && /DREHSCHEIBE_AUTH=off is refused/.test(e.message));
});
