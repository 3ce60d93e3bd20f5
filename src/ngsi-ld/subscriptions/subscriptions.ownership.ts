// Which live node notifies a subscription: rendezvous (highest random weight) hashing of the
// subscription over the live nodes, so every node computes the same owner from the same node list and
// a node's death moves only its own subscriptions.
import { createHash } from 'node:crypto';

function weight(node: string, key: string): bigint {
  return createHash('sha1').update(node).update('\u0000').update(key).digest().readBigUInt64BE(0);
}

/** The owner of `key` (tenant and subscription id) among `nodes`; undefined when there are none. */
export function ownerOf(key: string, nodes: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestW = -1n;
  for (const n of nodes) {
    const w = weight(n, key);
    if (w > bestW || (w === bestW && best !== undefined && n < best)) { best = n; bestW = w; }
  }
  return best;
}

/** Answers "does this node own the subscription?", cached until the list of live nodes changes. */
export class Ownership {
  private nodes: readonly string[] = [];
  private readonly cache = new Map<string, boolean>();
  constructor(private readonly self: string, private readonly live: () => readonly string[]) {}

  owns(tenant: string, id: string): boolean {
    const nodes = this.live();
    if (nodes !== this.nodes) {
      this.nodes = nodes;
      this.cache.clear();
    }
    if (nodes.length <= 1) return true;
    const key = `${tenant}\u0000${id}`;
    let o = this.cache.get(key);
    if (o === undefined) {
      o = ownerOf(key, nodes) === this.self;
      if (this.cache.size > 100_000) this.cache.clear();
      this.cache.set(key, o);
    }
    return o;
  }
}
