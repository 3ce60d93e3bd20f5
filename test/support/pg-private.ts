// A PostgreSQL server of the test's own (initdb in a temporary directory, a free port), for tests that stop,
// kill and restart the database; never the shared server at 5432. Needs the PostgreSQL 15 binaries and root
// (the cluster runs as the `postgres` system user); tests skip, saying why, when either is missing.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server.ts';

const BIN = '/usr/lib/postgresql/15/bin';

/** Why private PostgreSQL servers cannot be started here (false: they can). */
export const PRIVATE_PG_SKIP: string | false = !existsSync(join(BIN, 'initdb'))
  ? `no PostgreSQL 15 binaries in ${BIN}: tests that restart their own PostgreSQL are skipped`
  : process.getuid?.() !== 0
    ? 'not root: tests that restart their own PostgreSQL (initdb as the postgres user) are skipped'
    : false;

export interface PrivatePostgres {
  url: string;
  port: number;
  start(): void;
  /** pg_ctl stop -m fast | immediate (immediate: like a crash, no shutdown checkpoint). */
  stop(mode: 'fast' | 'immediate'): void;
  /** SIGKILL to the postmaster (a real kill -9; its backends exit when they notice). */
  kill9(): void;
  log(): string;
  destroy(): void;
}

function asPostgres(cmd: string, args: string[]): string {
  return execFileSync('runuser', ['-u', 'postgres', '--', join(BIN, cmd), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'ds-pg-'));
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const logFile = join(dir, 'log');
  asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=50`;
  const pg: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: () => { asPostgres('pg_ctl', ['start', '-w', '-t', '30', '-D', data, '-l', logFile, '-o', opts]); },
    stop: (mode) => { asPostgres('pg_ctl', ['stop', '-w', '-t', '30', '-D', data, '-m', mode]); },
    kill9: () => {
      const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(pid, 'SIGKILL');
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    destroy: () => {
      try { asPostgres('pg_ctl', ['stop', '-w', '-t', '10', '-D', data, '-m', 'immediate']); } catch { /* not running */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  pg.start();
  return pg;
}
