// `npm start` with access control on, as a real process: the bootstrap operator key in the data
// dir, writes with it, 401 without, metrics on their own port, and a graceful stop that flushes
// the audit log (its flush interval is longer than the test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { freePort, startServer } from '../support/server.ts';

test('a fresh start with auth on: operator key file, authorised write, 401 without key, metrics port, audit flushed on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-start-'));
  const metricsPort = await freePort();
  const s = await startServer({ DREHSCHEIBE_AUTH: 'on', DREHSCHEIBE_DATA_DIR: dir, METRICS_PORT: String(metricsPort), DREHSCHEIBE_AUDIT_FLUSH_MS: '60000', LOG_LEVEL: 'warn' });
  try {
    const key = readFileSync(join(dir, 'admin-key'), 'utf8').trim();
    assert.match(s.output(), /admin-key/, 'the log names the key file');
    assert.ok(!s.output().includes(key), 'the log does not contain the key');
    const body = JSON.stringify({ id: 'urn:ngsi-ld:Building:start-1', type: 'Building' });
    const anon = await fetch(`${s.url}/ngsi-ld/v1/entities`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(anon.status, 401);
    const ok = await fetch(`${s.url}/ngsi-ld/v1/entities`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body });
    assert.equal(ok.status, 201);
    assert.equal((await fetch(`${s.url}/ngsi-ld/v1/entities/urn:ngsi-ld:Building:start-1`)).status, 200, 'public reads need no key');
    const m = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(m.status, 200);
    assert.match(await m.text(), /drehscheibe_http_request_duration_seconds_count\{method="POST",route="\/ngsi-ld\/v1\/entities",status_code="201"\} 1/);
    assert.equal((await fetch(`${s.url}/metrics`)).status, 404, 'not on the main port when METRICS_PORT is set');
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
    const db = new Database(join(dir, 'drehscheibe.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT principal, action, status FROM audit_log ORDER BY seq').all();
    db.close();
    assert.deepEqual(rows, [
      { principal: 'anonymous', action: 'POST /ngsi-ld/v1/entities', status: 401 },
      { principal: 'key:admin', action: 'POST /ngsi-ld/v1/entities', status: 201 },
    ]);
  } finally {
    if (s.child.exitCode === null) s.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
