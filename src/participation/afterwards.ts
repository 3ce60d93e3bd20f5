// Work that follows a contribution but must not hold up its answer — telling followers and moderators
// (one lookup and one outbox row per person). Jobs run one after another on this node, after the
// request that queued them; failures are logged, never thrown at the request. Not durable: a node that
// dies between the answer and the job loses those notices (the contribution itself is stored).
export class Afterwards {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;
  constructor(private readonly onError: (err: unknown) => void) {}

  /** Queues a job; returns at once. */
  run(job: () => Promise<void>): void {
    this.pending++;
    this.tail = this.tail
      // setImmediate: the job starts after the current request's answer has been handed on.
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(job)
      .catch(this.onError)
      .finally(() => { this.pending--; });
  }

  /** Jobs queued and not yet done. */
  get queued(): number { return this.pending; }

  /** Waits until every job queued so far (and any they queue) is done (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.tail;
  }
}
