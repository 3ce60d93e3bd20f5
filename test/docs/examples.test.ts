// The shell examples of README.md and docs/*.md, run as a newcomer would run them: every block fenced
// ```sh test is run with bash, in document order, against one fresh default start of the real server
// (access control on, demo on, a new data dir) from a directory whose ./data is that data dir, so
// `KEY=$(cat data/admin-key)` works as written. The examples name the defaults (http://127.0.0.1:1026,
// MQTT port 1883); the test replaces them with the free ports of its server. A block fails the test
// when it exits non-zero (set -e; the curl examples use -f). Blocks fenced ```sh no-test (long-running
// commands, PostgreSQL, a real OIDC issuer) are not run; an ```sh block without either mark fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer } from '../support/server.ts';

interface Block { file: string; line: number; mark: string; text: string }

const SHELL = new Set(['sh', 'bash', 'shell', 'console']);
export const MARKS = new Set(['test', 'no-test']);

export function blocksOf(file: string, md: string): Block[] {
  const out: Block[] = [];
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})\s*(\S*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const fence = open[1];
    let j = i + 1;
    while (j < lines.length && !lines[j].startsWith(fence)) j++;
    if (SHELL.has(open[2])) out.push({ file, line: i + 1, mark: open[3].trim(), text: lines.slice(i + 1, j).join('\n') });
    i = j;
  }
  return out;
}

const files = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const blocks = files.flatMap((f) => blocksOf(f, readFileSync(f, 'utf8')));

test('every shell block of README.md and docs/*.md is marked "sh test" (run here) or "sh no-test"', () => {
  const unmarked = blocks.filter((b) => !MARKS.has(b.mark)).map((b) => `${b.file}:${b.line} (\`\`\`sh ${b.mark})`);
  assert.deepEqual(unmarked, []);
  assert.ok(blocks.filter((b) => b.mark === 'test').length >= 7, 'the runnable examples were found');
  const curlsNotRun = blocks.filter((b) => b.mark === 'no-test' && /\bcurl\b/.test(b.text) && !/npm (start|run drehscheibe)|DATABASE_URL|psql/.test(b.text));
  assert.deepEqual(curlsNotRun.map((b) => `${b.file}:${b.line}`), [], 'a curl example is not run only when its block needs PostgreSQL or starts a server');
});

test('the runnable shell examples of README.md and docs/*.md work against a fresh default start with access control on', { timeout: 180_000 }, async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'ds-examples-'));
  const data = join(cwd, 'data');
  mkdirSync(data);
  const mqttPort = await freePort();
  // The defaults of `npm start` but for the ports: auth on, demo auto (a new data dir), rate limits on.
  const s = await startServer({ DREHSCHEIBE_DATA_DIR: data, DREHSCHEIBE_AUTH: 'on', DREHSCHEIBE_DEMO: 'auto', MQTT_PORT: String(mqttPort), LOG_LEVEL: 'warn' });
  // As a newcomer would after reading the start-up log: the demo has provisioned its fleet.
  for (let i = 0; ; i++) {
    if ((await fetch(`${s.url}/ngsi-ld/v1/types`, { headers: { 'ngsild-tenant': 'herne' } })).status === 200) break;
    if (i > 200) throw new Error(`the demo tenant did not appear: ${s.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const hasMosquittoPub = spawnSync('bash', ['-c', 'command -v mosquitto_pub'], { encoding: 'utf8' }).status === 0;
  const failures: string[] = [];
  try {
    for (const b of blocks.filter((x) => x.mark === 'test')) {
      let script = b.text
        .replaceAll('http://127.0.0.1:1026', s.url)
        .replaceAll('localhost:1026', s.url.replace('http://', ''))
        .replace(/-p 1883\b/g, `-p ${mqttPort}`);
      if (!hasMosquittoPub) script = script.replace(/^mosquitto_pub .*$/gm, 'echo "mosquitto_pub is not installed: skipped" >&2');
      const r = spawnSync('bash', ['-c', `set -e\n${script}`], { cwd, encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
      if (r.status !== 0) {
        failures.push(`${b.file}:${b.line} exited with ${r.status ?? r.signal}\n--- block ---\n${b.text}\n--- stdout ---\n${r.stdout.slice(-2000)}\n--- stderr ---\n${r.stderr.slice(-2000)}`);
      }
    }
  } finally {
    s.child.kill('SIGTERM');
    await s.exited;
    rmSync(cwd, { recursive: true, force: true });
  }
  assert.equal(failures.length, 0, failures.join('\n\n'));
});
