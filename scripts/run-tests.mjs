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
// A test that hangs fails after TEST_TIMEOUT_MS (default 5 min) instead of holding the run; a test file whose
// handles stay open after its tests ends anyway (--test-force-exit). The whole run stops after TEST_RUN_TIMEOUT_MS
// (default 40 min) with a clear message, so CI reports a failure rather than running into its own limit.
const testTimeout = Number(env.TEST_TIMEOUT_MS ?? 300_000);
const runTimeout = Number(env.TEST_RUN_TIMEOUT_MS ?? 2_400_000);
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-timeout=${testTimeout}`, '--test-force-exit', ...files],
  { stdio: 'inherit', env, timeout: runTimeout, killSignal: 'SIGKILL' },
);
if (r.error?.code === 'ETIMEDOUT') {
  console.error(`test run stopped: it took longer than ${runTimeout} ms (TEST_RUN_TIMEOUT_MS)`);
  process.exit(1);
}
process.exit(r.status ?? 1);
