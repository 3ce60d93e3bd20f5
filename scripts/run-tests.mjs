#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with node's test runner through tsx.
// Usage: node scripts/run-tests.mjs [--engine=postgres] [substring-filter ...]
// --engine=postgres runs the app-level suites on PostgreSQL (TEST_ENGINE=postgres; needs TEST_PG_URL).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

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
const nodeArgs = (list) => ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-timeout=${testTimeout}`, '--test-force-exit', ...list];

// Two lanes side by side (TEST_LANES=1 for one): the browser files (test/e2e/*.e2e.test.ts, each a server and a
// Chromium that mostly wait on each other) one after another in one lane, every other file one after another in
// the other. Never two browsers at once; the browser files are about half of the run's time. The browser lane's
// report is printed when it ends (two spec reports interleaved line by line cannot be read).
const lanes = Number(env.TEST_LANES ?? 2);
const browser = files.filter((f) => f.endsWith('.e2e.test.ts'));
const other = files.filter((f) => !f.endsWith('.e2e.test.ts'));
if (lanes < 2 || browser.length === 0 || other.length === 0) {
  const r = spawnSync(process.execPath, nodeArgs(files), { stdio: 'inherit', env, timeout: runTimeout, killSignal: 'SIGKILL' });
  if (r.error?.code === 'ETIMEDOUT') {
    console.error(`test run stopped: it took longer than ${runTimeout} ms (TEST_RUN_TIMEOUT_MS)`);
    process.exit(1);
  }
  process.exit(r.status ?? 1);
}

const started = Date.now();
const lane = (name, list, buffered) => new Promise((resolve) => {
  const child = spawn(process.execPath, nodeArgs(list), { stdio: ['ignore', buffered ? 'pipe' : 'inherit', buffered ? 'pipe' : 'inherit'], env });
  const chunks = [];
  if (buffered) {
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
  }
  const timer = setTimeout(() => { console.error(`test run stopped: the ${name} lane took longer than ${runTimeout} ms (TEST_RUN_TIMEOUT_MS)`); child.kill('SIGKILL'); }, runTimeout);
  child.on('close', (code, signal) => {
    clearTimeout(timer);
    resolve({ name, code: code ?? 1, signal, output: Buffer.concat(chunks), seconds: (Date.now() - started) / 1000 });
  });
});
const results = await Promise.all([lane('other', other, false), lane('browser', browser, true)]);
for (const r of results) {
  if (r.output.length) {
    console.log(`\n===== ${r.name} lane (${browser.length} files), printed at its end =====`);
    process.stdout.write(r.output);
  }
}
for (const r of results) console.log(`${r.name} lane: exit ${r.signal ?? r.code} after ${r.seconds.toFixed(0)} s`);
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
