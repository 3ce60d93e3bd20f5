// Password hashing with argon2id (@node-rs/argon2: runs on libuv's thread pool, not the event loop).
// Parameters from the config (OWASP minimum m=19 MiB, t=2, p=1); hashes are PHC strings that carry
// their own parameters, so raising the cost later still verifies old hashes (and rehashes them at login).
import { Algorithm, hash, verify } from '@node-rs/argon2';

export interface Argon2Cost { memoryKiB: number; time: number }

export class PasswordHasher {
  private readonly options;
  /** A hash of a random password, verified against when the e-mail is unknown: same work, same time. */
  private dummy?: Promise<string>;

  constructor(private readonly cost: Argon2Cost) {
    this.options = { algorithm: Algorithm.Argon2id, memoryCost: cost.memoryKiB, timeCost: cost.time, parallelism: 1 };
  }

  hash(password: string): Promise<string> {
    return hash(password, this.options);
  }

  async verify(phc: string, password: string): Promise<boolean> {
    try {
      return await verify(phc, password);
    } catch {
      return false;
    }
  }

  /** Burns the time of one verification (unknown e-mail, account without password, disabled account). */
  async verifyDummy(password: string): Promise<false> {
    this.dummy ??= this.hash(`dummy-${Math.random()}-${Date.now()}`);
    await this.verify(await this.dummy, password);
    return false;
  }

  /** Whether a stored hash uses weaker parameters than configured (then it is replaced at the next login). */
  needsRehash(phc: string): boolean {
    const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(phc);
    if (!m) return true;
    return Number(m[1]) < this.cost.memoryKiB || Number(m[2]) < this.cost.time;
  }
}
