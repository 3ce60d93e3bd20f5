// A small least-recently-used map, bounded by entry count and optionally by total weight (an estimate of
// memory); Map keeps insertion order, so the first key is the oldest.

export class Lru<K, V> {
  private readonly map = new Map<K, { value: V; weight: number }>();
  private total = 0;
  constructor(readonly capacity: number, readonly maxWeight = Infinity) {
    if (!(capacity >= 1)) throw new Error(`Lru capacity must be at least 1, got ${capacity}`);
  }

  get size(): number {
    return this.map.size;
  }

  /** Sum of the weights of the entries held. */
  get weight(): number {
    return this.total;
  }

  /** Returns the value and marks it most recently used. */
  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (e !== undefined) {
      this.map.delete(key);
      this.map.set(key, e);
    }
    return e?.value;
  }

  /** Returns the value without touching its recency. */
  peek(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  /**
   * Stores the value as the most recently used; evicts the least recently used entries while the capacity
   * or the weight bound is exceeded (never the new entry itself) and returns them.
   */
  set(key: K, value: V, weight = 1): [K, V][] {
    this.delete(key);
    this.map.set(key, { value, weight });
    this.total += weight;
    const evicted: [K, V][] = [];
    for (const [k, e] of this.map) {
      if (k === key || (this.map.size <= this.capacity && this.total <= this.maxWeight)) break;
      this.delete(k);
      evicted.push([k, e.value]);
    }
    return evicted;
  }

  delete(key: K): boolean {
    const e = this.map.get(key);
    if (e === undefined) return false;
    this.total -= e.weight;
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }

  keys(): IterableIterator<K> {
    return this.map.keys();
  }

  *values(): IterableIterator<V> {
    for (const e of this.map.values()) yield e.value;
  }
}
