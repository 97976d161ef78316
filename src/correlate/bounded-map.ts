// A Map that forgets its least recently touched entries past a size, so remembered state stays bounded.

export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly limit: number) {}

  get size(): number {
    return this.map.size;
  }

  /** Reads without refreshing, so lookups of late data do not keep old entries alive. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  /** Reads and marks the entry as recently used. */
  touch(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  /**
   * Past the limit, a large map forgets its oldest sixteenth at once (a small one, its oldest entry). One
   * at a time, each eviction's `keys().next()` stepped over every slot the evictions before it had left
   * empty at the front of the Map's table: 28 µs a set at a limit of 100,000, against 0.4 µs.
   */
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size <= this.limit) return;
    let drop = this.map.size - this.limit + (this.limit >= 1024 ? this.limit >> 4 : 0);
    for (const oldest of this.map.keys()) {
      if (drop-- <= 0) break;
      this.map.delete(oldest);
    }
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  /** Oldest first. */
  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }
}
