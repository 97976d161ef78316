// The bounded memory behind request joins, skew observations and kept views: recent entries stay, the
// least recently touched go, and the map never grows past its limit.
import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../src/correlate/bounded-map.js';

describe('BoundedMap', () => {
  it('a small map keeps exactly its most recently set or touched entries', () => {
    const m = new BoundedMap<string, number>(8);
    for (let i = 0; i < 8; i++) m.set(`k${i}`, i);
    expect(m.touch('k0')).toBe(0);
    expect(m.peek('k1')).toBe(1); // a peek does not refresh
    m.set('k8', 8);
    m.set('k9', 9);
    expect(m.size).toBe(8);
    expect([...m.entries()].map(([k]) => k)).toEqual(['k3', 'k4', 'k5', 'k6', 'k7', 'k0', 'k8', 'k9']);
    m.set('k4', 40); // setting an existing key refreshes it and drops nothing
    expect(m.size).toBe(8);
    expect([...m.entries()].at(-1)).toEqual(['k4', 40]);
    m.set('k10', 10); // one in, the one least recently used out
    expect([...m.entries()].map(([k]) => k)).toEqual(['k5', 'k6', 'k7', 'k0', 'k8', 'k9', 'k4', 'k10']);
  });

  it('a large map never passes its limit and keeps the newest entries and those touched since', () => {
    const limit = 4096;
    const m = new BoundedMap<number, number>(limit);
    let maxSize = 0;
    let minSize = Infinity;
    for (let i = 0; i < 50_000; i++) {
      m.set(i, i);
      // An old entry kept alive by being read now and then.
      if (i % 100 === 0) m.touch(7);
      maxSize = Math.max(maxSize, m.size);
      // Once full, it forgets at most a sixteenth at a time.
      if (i >= limit) minSize = Math.min(minSize, m.size);
    }
    expect(maxSize).toBe(limit);
    expect(minSize).toBe(limit - limit / 16);
    for (let i = 50_000 - (limit - limit / 16 - 1); i < 50_000; i++) expect(m.peek(i)).toBe(i);
    expect(m.peek(7)).toBe(7);
    expect(m.peek(0)).toBeUndefined();
    expect(m.peek(40_000)).toBeUndefined();
  });
});
