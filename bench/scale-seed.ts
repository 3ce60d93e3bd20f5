// Seeds a data directory with n bench entities (bench/seed.ts shapes, history on) through a real
// server, and keeps it for the scale measurements (docs/scaling.md): seeding 1M takes minutes,
// so it is done once and the directory reused.
//   npx tsx bench/scale-seed.ts <dataDir> <n> [env KEY=VALUE ...]
import { mkdirSync } from 'node:fs';
import { seedCounted } from './seed.ts';
import { startServer } from './server.ts';

const [dir, nText, ...envArgs] = process.argv.slice(2);
const n = Number(nText);
if (!dir || !Number.isSafeInteger(n) || n <= 0) {
  console.error('usage: npx tsx bench/scale-seed.ts <dataDir> <n> [KEY=VALUE ...]');
  process.exit(2);
}
const env = Object.fromEntries(envArgs.map((a) => a.split('=', 2) as [string, string]));
mkdirSync(dir, { recursive: true });
const server = await startServer({ dataDir: dir, keepDataDir: true, env, startTimeoutMs: 600_000 });
try {
  // Batches cut off by a connection error, or answered 503/429, are sent again (the upsert is idempotent).
  const { seconds: sec, retries } = await seedCounted(server.url, n, { concurrency: 2 });
  console.log(`${n.toLocaleString('en-US')} entities in ${sec.toFixed(1)} s (${Math.round(n / sec).toLocaleString('en-US')}/s), ${retries} batches sent again`);
} catch (e) {
  // Whether the server was still running, and what it said last, tells a crash from a cut connection.
  const alive = (() => { try { process.kill(server.pid, 0); return true; } catch { return false; } })();
  console.error(`seeding stopped: ${(e as Error).message}\nserver ${alive ? 'still running' : 'no longer running'} (pid ${server.pid}), RSS ${alive ? server.rssMb().toFixed(0) + ' MB' : '-'}; its last output:\n${server.recentOutput()}`);
  process.exitCode = 1;
} finally {
  await server.stop();
}
