// Keeps the direction of dependencies checkable (STYLE.md): core imports nothing else from src/,
// only main.ts/app.ts import storage adapters, the port carries no driver types, storage imports no
// ngsi-ld, one engine adapter never imports the other, and src/ngsi-ld has no import cycles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

const SRC = resolve('src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) out.push(m[1]);
  return out.filter((s) => s.startsWith('.')).map((s) => relative(SRC, resolve(dirname(file), s)));
}

const all = files(SRC).map((f) => ({ file: relative(SRC, f), deps: imports(f) }));

test('src/core imports nothing else from src/', () => {
  for (const { file, deps } of all.filter((x) => x.file.startsWith('core/'))) {
    for (const d of deps) assert.ok(d.startsWith('core/'), `${file} imports ${d}`);
  }
});

test('only main.ts and app.ts (and the adapters themselves) import storage adapters', () => {
  for (const { file, deps } of all) {
    if (file === 'main.ts' || file === 'app.ts' || file.startsWith('storage/sqlite/') || file.startsWith('storage/postgres/')) continue;
    for (const d of deps) assert.ok(!d.startsWith('storage/sqlite/') && !d.startsWith('storage/postgres/'), `${file} imports adapter ${d}`);
  }
});

test('the storage port and contract suites import no database driver', () => {
  for (const f of files(join(SRC, 'storage')).filter((p) => !p.includes('/sqlite/') && !p.includes('/postgres/'))) {
    const text = readFileSync(f, 'utf8');
    assert.doesNotMatch(text, /from '(better-sqlite3|pg)'/, relative(SRC, f));
  }
});

test('nothing but config reads process.env', () => {
  for (const f of files(SRC)) {
    const rel = relative(SRC, f);
    if (rel.startsWith('config/')) continue;
    assert.doesNotMatch(readFileSync(f, 'utf8'), /process\.env/, rel);
  }
});

test('the ingest writes entities only through EntityService (no storage transactions, no adapters)', () => {
  for (const { file, deps } of all.filter((x) => x.file.startsWith('ingest/'))) {
    for (const d of deps) assert.ok(!d.startsWith('storage/sqlite/') && !d.startsWith('storage/postgres/'), `${file} imports adapter ${d}`);
    assert.doesNotMatch(readFileSync(join(SRC, file), 'utf8'), /withTransaction|\.savepoint\(/, `${file} opens storage transactions`);
  }
});

test('access control reaches the NGSI-LD domain only through core/access.ts: ngsi-ld imports neither auth nor ops, and they import no ngsi-ld', () => {
  for (const { file, deps } of all) {
    if (file.startsWith('ngsi-ld/')) for (const d of deps) assert.ok(!d.startsWith('auth/') && !d.startsWith('ops/'), `${file} imports ${d}`);
    if (file.startsWith('auth/') || file.startsWith('ops/')) for (const d of deps) assert.ok(!d.startsWith('ngsi-ld/'), `${file} imports ${d}`);
  }
});

test('storage imports nothing from src/ngsi-ld: the port speaks its own query tree (storage/query-ast.ts)', () => {
  for (const { file, deps } of all.filter((x) => x.file.startsWith('storage/'))) {
    for (const d of deps) assert.ok(!d.startsWith('ngsi-ld/'), `${file} imports ${d}`);
  }
});

test('one storage engine adapter never imports the other (shared pieces live beside the port)', () => {
  const engine = (p: string) => /^storage\/(sqlite|postgres)\//.exec(p)?.[1];
  for (const { file, deps } of all) {
    const own = engine(file);
    if (!own) continue;
    for (const d of deps) {
      const other = engine(d);
      assert.ok(!other || other === own, `${file} imports ${d}`);
    }
  }
});

test('no import cycles under src/ngsi-ld (type-only imports included)', () => {
  const graph = new Map(all.filter((x) => x.file.startsWith('ngsi-ld/')).map((x) => [x.file, x.deps.filter((d) => d.startsWith('ngsi-ld/'))]));
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (f: string): void => {
    if (done.has(f)) return;
    if (onPath.has(f)) assert.fail(`import cycle: ${[...path.slice(path.indexOf(f)), f].join(' → ')}`);
    onPath.add(f);
    path.push(f);
    for (const d of graph.get(f) ?? []) visit(d);
    path.pop();
    onPath.delete(f);
    done.add(f);
  };
  for (const f of [...graph.keys()].sort()) visit(f);
});
