// The embedded store belongs to one process (sqlite.lock.ts): a second process on the same data
// directory is refused with a message that names the owner; a killed owner's lock is taken over;
// stores of one process share the lock; the read-only export command runs beside the owner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';

const OWNER = `
import { SqliteStorage } from ${JSON.stringify(new URL('../../src/storage/sqlite/sqlite.adapter.ts', import.meta.url).href)};
SqliteStorage.inDataDir(process.argv[1]);
console.log('ready');
setInterval(() => {}, 1000);
`;

test('a second process is refused; after the owner is killed (-9) the lock is taken over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-lock-'));
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', OWNER, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
    assert.match(chunk.toString(), /ready/);
    assert.throws(() => SqliteStorage.inDataDir(dir), (e: Error) => {
      assert.match(e.message, new RegExp(`in use by process ${child.pid}`));
      assert.match(e.message, /one process/);
      return true;
    });
    // The export command only reads: it runs beside the owner (docs/scaling.md "Moving data").
    const out = join(dir, 'city.ndjson');
    const exp = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'export', `--out=${out}`], {
      env: { ...process.env, DREHSCHEIBE_DATA_DIR: dir, LOG_LEVEL: 'warn', DREHSCHEIBE_DEMO: 'off' }, encoding: 'utf8',
    });
    assert.equal(exp.status, 0, exp.stderr);
    assert.ok(existsSync(out));
    child.kill('SIGKILL');
    await once(child, 'exit');
    const s = SqliteStorage.inDataDir(dir);
    const again = SqliteStorage.inDataDir(dir); // the same process: shared
    await again.close();
    assert.ok(existsSync(join(dir, 'drehscheibe.sqlite.lock')), 'the lock stays while one store of this process is open');
    await s.close();
    assert.equal(existsSync(join(dir, 'drehscheibe.sqlite.lock')), false);
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
