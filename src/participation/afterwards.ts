// Work that follows a contribution but must not hold up its answer — telling followers and moderators
// (one lookup and one outbox row per person). Durable: the job is written to the database before the
// answer (part_jobs), run after it on this node, and removed when done. A node that dies in between
// leaves the row; the next start-up (or any node's periodic drain) claims and runs it. Claims are
// leases, so two nodes never run one job at once; a job that keeps failing is given up after
// MAX_ATTEMPTS (logged). At least once: a node dying in the middle of a job sends its mails again.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { ParticipationStore } from './participation.port.ts';

/** A job's kind names the function that runs it; its payload is plain data (stored as JSON). */
export type JobRunner = (kind: string, payload: unknown) => Promise<void>;

export const MAX_ATTEMPTS = 5;
const LEASE_MS = 5 * 60_000;
const BATCH = 50;

export class Afterwards {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;
  private draining = false;
  private again = false;

  constructor(private readonly d: {
    store: Pick<ParticipationStore, 'addJob' | 'claimJobs' | 'removeJob'>;
    clock: Clock;
    run: JobRunner;
    onError: (err: unknown, job?: { kind: string; attempts: number; givenUp: boolean }) => void;
  }) {}

  /** Keeps the job in the database (before the answer leaves), then runs it after the answer. */
  async add(kind: string, payload: unknown): Promise<void> {
    await this.d.store.addJob({ id: randomUUID(), kind, payload, createdAt: this.d.clock.now().toISOString() });
    this.drainSoon();
  }

  /** Queues in-memory work on the same line, not kept in the database (tests hold the line with it). */
  run(job: () => Promise<void>): void {
    this.pending++;
    this.tail = this.tail
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(job)
      .catch((err) => this.d.onError(err))
      .finally(() => { this.pending--; });
  }

  /** Runs every job that is due (start-up, the interval, and after each add); returns at once. */
  drainSoon(): void {
    if (this.draining) { this.again = true; return; }
    this.draining = true;
    this.pending++;
    this.tail = this.tail
      // setImmediate: the jobs start after the current request's answer has been handed on.
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => this.drain())
      .catch((err) => this.d.onError(err))
      .finally(() => {
        this.pending--;
        this.draining = false;
        if (this.again) { this.again = false; this.drainSoon(); }
      });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const now = this.d.clock.now().getTime();
      const jobs = await this.d.store.claimJobs(new Date(now).toISOString(), new Date(now + LEASE_MS).toISOString(), BATCH);
      for (const j of jobs) {
        try {
          await this.d.run(j.kind, j.payload);
          await this.d.store.removeJob(j.id);
        } catch (err) {
          const givenUp = j.attempts >= MAX_ATTEMPTS;
          this.d.onError(err, { kind: j.kind, attempts: j.attempts, givenUp });
          // Kept: claimed again when its lease runs out, until it has had its attempts.
          if (givenUp) await this.d.store.removeJob(j.id);
        }
      }
      if (jobs.length < BATCH) return;
    }
  }

  /** Drains in progress or asked for. */
  get queued(): number { return this.pending + (this.again ? 1 : 0); }

  /** Waits until every drain asked for so far (and any they ask for) is done (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.pending > 0 || this.again) await this.tail;
  }
}
