// Moves WAL checkpoints off the request path: a worker thread with its own connection copies
// the WAL back into the database file every few hundred milliseconds (PASSIVE: it never blocks
// the writer or readers). The writer's own auto-checkpoint stays as a high-water fallback.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
let stopped = false;
const tick = () => {
  if (stopped) return;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (e) { parentPort.postMessage({ error: String(e && e.message || e) }); }
  setTimeout(tick, workerData.intervalMs);
};
parentPort.on('message', (m) => { if (m === 'stop') { stopped = true; db.close(); parentPort.postMessage('stopped'); } });
setTimeout(tick, workerData.intervalMs);
`;

export class Checkpointer {
  private readonly worker: Worker;
  constructor(file: string, intervalMs = 250, onError: (msg: string) => void = () => undefined) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER, { eval: true, workerData: { file, intervalMs, driver } });
    this.worker.on('message', (m: unknown) => {
      if (m && typeof m === 'object' && 'error' in m) onError(String((m as { error: string }).error));
    });
    this.worker.on('error', (e) => onError(e.message));
    this.worker.unref();
  }
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => { void this.worker.terminate().then(() => resolve()); }, 2000);
      this.worker.once('message', () => { clearTimeout(t); resolve(); });
      this.worker.once('exit', () => { clearTimeout(t); resolve(); });
      this.worker.postMessage('stop');
    });
    await this.worker.terminate();
  }
}
