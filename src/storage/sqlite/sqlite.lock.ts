// The embedded store belongs to one process: its caches (sqlite.versions.ts, the render cache, the
// type counts) see only this process's writes. A lock file beside the database names the owner;
// a second process is refused with a clear message, a dead owner's lock (kill -9) is taken over.
// Owners are told apart by pid and the process's start time (so a reused pid is not mistaken for
// the owner); several stores of one process on the same file share the lock.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';

interface Owner { pid: number; start: string; host: string }

const held = new Map<string, number>();

/** The start time of a process (Linux: field 22 of /proc/<pid>/stat), '' where unknown. */
function startOf(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function alive(o: Owner): boolean {
  if (o.host !== hostname()) return true; // a shared disk: never guess about another host
  try {
    process.kill(o.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const start = startOf(o.pid);
  return start === '' || o.start === '' || start === o.start;
}

export class DataDirInUse extends Error {}

/** Takes the lock of database `file` for this process; returns its release. */
export function lockDatabase(file: string): () => void {
  const path = `${resolve(file)}.lock`;
  const me: Owner = { pid: process.pid, start: startOf(process.pid), host: hostname() };
  const count = held.get(path) ?? 0;
  if (count === 0) {
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, `${JSON.stringify(me)}\n`);
        closeSync(fd);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw e;
      }
      let owner: Owner | undefined;
      try {
        owner = JSON.parse(readFileSync(path, 'utf8')) as Owner;
      } catch {
        owner = undefined; // torn or foreign content: treated as stale
      }
      if (owner && owner.pid === me.pid && owner.host === me.host && owner.start === me.start) break;
      if (owner && owner.pid !== me.pid && alive(owner)) {
        throw new DataDirInUse(`${resolve(file)} is in use by process ${owner.pid} on ${owner.host}: the embedded SQLite store belongs to one process (several nodes need PostgreSQL: DATABASE_URL). Stop that process, or remove ${path} if it is gone.`);
      }
      try {
        unlinkSync(path);
      } catch {
        // taken over by someone else meanwhile: the next attempt decides
      }
    }
  }
  held.set(path, count + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const n = (held.get(path) ?? 1) - 1;
    if (n > 0) {
      held.set(path, n);
      return;
    }
    held.delete(path);
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  };
}
