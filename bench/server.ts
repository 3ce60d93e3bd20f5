// Starts the real Drehscheibe server as a child process on a free port with a fresh data
// directory, for the benchmarks; exposes its URL, pid, resident memory and a stop() that cleans up.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// The checkout whose src/main.ts the servers run: this one, or (with the runner's --compare=REV) a
// worktree of an older commit, so old and new code are measured alternately in one sitting.
let serverRoot = REPO_ROOT;
export function setServerRoot(dir: string): void {
  serverRoot = dir;
}

export interface BenchServer {
  url: string;
  pid: number;
  dataDir: string;
  /** Resident set size of the server process in MB (VmRSS from /proc/<pid>/status). */
  rssMb(): number;
  /** Number of log lines at level error or fatal the server wrote so far. */
  errorLogCount(): number;
  /** The last lines the server wrote to stdout/stderr (for diagnostics). */
  recentOutput(): string;
  /** SIGTERM, wait for the exit (SIGKILL after a timeout), remove the data directory. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Extra environment variables for this benchmark (override the defaults). */
  env?: Record<string, string>;
  /** Extra node flags placed before `--import tsx`, e.g. ['--cpu-prof', '--cpu-prof-dir=…']. */
  nodeArgs?: string[];
  /** How long to wait for GET /health, in ms. */
  startTimeoutMs?: number;
  /** Use this data directory (e.g. one seeded by an earlier server) instead of a fresh one. */
  dataDir?: string;
  /** Leave the data directory in place on stop() (for a following server). */
  keepDataDir?: boolean;
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => (port ? res(port) : rej(new Error('could not get a free port'))));
    });
  });
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((res) => {
    const t = setTimeout(() => res(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      res(true);
    });
  });
}

export async function startServer(opts: StartOptions = {}): Promise<BenchServer> {
  const port = await freePort();
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'drehscheibe-bench-'));
  const { BENCH_CPU_PROF_DIR: _prof, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    PORT: String(port),
    HOST: '127.0.0.1',
    DREHSCHEIBE_DATA_DIR: dataDir,
    DREHSCHEIBE_AUTH: 'off',
    // The load generators send thousands of requests per second from one address.
    DREHSCHEIBE_RATE_LIMIT: 'off',
    DREHSCHEIBE_DEMO: 'off',
    MQTT_PORT: '0',
    LOG_LEVEL: 'warn',
    DREHSCHEIBE_BODY_LIMIT: String(16 * 1024 * 1024),
    ...opts.env,
  };
  // BENCH_CPU_PROF_DIR (set by the runner's --profile) makes every server write a .cpuprofile on exit.
  const prof = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
  const child = spawn(process.execPath, [...prof, ...(opts.nodeArgs ?? []), '--import', 'tsx', 'src/main.ts'], {
    cwd: serverRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('could not spawn the server');
  const pid = child.pid;

  const lines: string[] = [];
  let errorLines = 0;
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > 60) lines.shift();
      const m = /"level":(\d+)/.exec(line);
      if (m && Number(m[1]) >= 50) errorLines++;
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const url = `http://127.0.0.1:${port}`;
  // A failed start removes a directory made here; stop() removes it unless asked to keep it.
  const cleanup = (failed = false) => {
    if ((failed && !opts.dataDir) || !opts.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      cleanup(true);
      throw new Error(`the server exited during start-up (code ${child.exitCode}, signal ${child.signalCode}):\n${lines.join('\n')}`);
    }
    try {
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await waitExit(child, 5000);
      cleanup(true);
      throw new Error(`the server did not answer GET /health within ${opts.startTimeoutMs ?? 60_000} ms:\n${lines.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  let stopped = false;
  return {
    url,
    pid,
    dataDir,
    rssMb() {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
      return Number(m[1]) / 1024;
    },
    errorLogCount: () => errorLines,
    recentOutput: () => lines.join('\n'),
    async stop() {
      if (stopped) return;
      stopped = true;
      child.kill('SIGTERM');
      if (!(await waitExit(child, 20_000))) {
        child.kill('SIGKILL');
        await waitExit(child, 5000);
      }
      cleanup();
    },
  };
}
