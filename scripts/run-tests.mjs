#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with node's test runner through tsx.
// Usage: node scripts/run-tests.mjs [--engine=postgres] [substring-filter ...]
// --engine=postgres runs the app-level suites on PostgreSQL (TEST_ENGINE=postgres; needs TEST_PG_URL).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
const args = process.argv.slice(2);
const engine = args.find((a) => a.startsWith('--engine='))?.slice('--engine='.length);
const filters = args.filter((a) => !a.startsWith('--engine='));
const env = { ...process.env };
if (engine) {
  if (engine !== 'postgres' && engine !== 'sqlite') {
    console.error(`unknown engine ${engine} (sqlite or postgres)`);
    process.exit(2);
  }
  if (engine === 'postgres' && !env.TEST_PG_URL) {
    console.error('--engine=postgres needs TEST_PG_URL, e.g. TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test');
    process.exit(2);
  }
  env.TEST_ENGINE = engine;
}
const files = ['src', 'test'].flatMap((d) => walk(d, [])).sort()
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
