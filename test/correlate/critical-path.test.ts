// The critical path on hand-built traces: which spans, and which parts of them, the root's end waited on.
import { describe, expect, it } from 'vitest';
import { buildSpanTree, criticalPath, type PathSegment } from '../../src/correlate/index.js';
import { at, TraceBuilder } from './build.js';

/** Segments as [span name, start ms, end ms] for readable expectations. */
function named(t: TraceBuilder, path: PathSegment[]): [string, number, number][] {
  const names = new Map(t.spans.map((s) => [s.spanId, s.name]));
  return path.map((p) => [names.get(p.spanId)!, (p.start - at(0)) / 1000, (p.end - at(0)) / 1000]);
}

describe('criticalPath', () => {
  it('follows the child that finished last when children overlap; the other one is not waited on', () => {
    const t = new TraceBuilder()
      .span({ id: 'A', service: 'a', start: 0, end: 100 })
      .span({ id: 'B', service: 'b', start: 10, end: 60, parent: 'A' })
      .span({ id: 'C', service: 'c', start: 30, end: 80, parent: 'A' });
    expect(named(t, criticalPath(t.spans))).toEqual([
      ['A', 0, 30],
      ['C', 30, 80],
      ['A', 80, 100],
    ]);
  });

  it('takes back-to-back calls one after the other, and the parent’s time around them', () => {
    const t = new TraceBuilder()
      .span({ id: 'A', service: 'a', start: 0, end: 100 })
      .span({ id: 'B', service: 'b', start: 10, end: 50, parent: 'A' })
      .span({ id: 'C', service: 'c', start: 50, end: 90, parent: 'A' });
    expect(named(t, criticalPath(t.spans))).toEqual([
      ['A', 0, 10],
      ['B', 10, 50],
      ['C', 50, 90],
      ['A', 90, 100],
    ]);
  });

  it('cuts a child that ends after its parent at the parent’s end, and drops its work after that', () => {
    const t = new TraceBuilder()
      .span({ id: 'A', service: 'a', start: 0, end: 100 })
      .span({ id: 'B', service: 'b', start: 50, end: 150, parent: 'A' })
      .span({ id: 'B2', service: 'b', start: 120, end: 140, parent: 'B' });
    expect(named(t, criticalPath(t.spans))).toEqual([
      ['A', 0, 50],
      ['B', 50, 100],
    ]);
  });

  it('leaves async (follows-from) work that starts after its parent ended off the path', () => {
    const t = new TraceBuilder()
      .span({ id: 'A', service: 'orders', start: 0, end: 100 })
      .span({ id: 'publish', service: 'orders', kind: 'producer', start: 10, end: 20, parent: 'A' })
      .span({ id: 'consume', service: 'mailer', kind: 'consumer', start: 200, end: 900, parent: 'publish' })
      .span({ id: 'send', service: 'mailer', kind: 'client', start: 300, end: 800, parent: 'consume' });
    const path = named(t, criticalPath(t.spans));
    expect(path).toEqual([
      ['A', 0, 10],
      ['publish', 10, 20],
      ['A', 20, 100],
    ]);
  });

  it('is the whole span for a trace of one span', () => {
    const t = new TraceBuilder().span({ id: 'only', service: 'a', start: 0, end: 42 });
    expect(named(t, criticalPath(t.spans))).toEqual([['only', 0, 42]]);
  });

  it('is empty for a trace with no spans', () => {
    expect(criticalPath([])).toEqual([]);
  });

  it('hangs a span whose parent never arrived under the root, and walks it there', () => {
    const t = new TraceBuilder()
      .span({ id: 'A', service: 'a', start: 0, end: 100 })
      .span({ id: 'lost', service: 'b', start: 20, end: 50, parent: 'never-received' });
    const tree = buildSpanTree(t.spans);
    expect(tree.root?.name).toBe('A');
    expect(tree.orphans.has(t.id('lost'))).toBe(true);
    expect(named(t, criticalPath(t.spans))).toEqual([
      ['A', 0, 20],
      ['lost', 20, 50],
      ['A', 50, 100],
    ]);
  });

  it('makes an orphan that began before every other span the root: it is the earliest thing we know of', () => {
    const t = new TraceBuilder()
      .span({ id: 'A', service: 'a', start: 0, end: 100 })
      .span({ id: 'early', service: 'gateway', start: -10, end: 40, parent: 'never-received' });
    const tree = buildSpanTree(t.spans);
    expect(tree.root?.name).toBe('early');
    expect(tree.orphans.has(t.id('A'))).toBe(true);
    expect(named(t, criticalPath(t.spans))).toEqual([
      ['early', -10, 0],
      ['A', 0, 40],
    ]);
  });

  it('prefers, of two children ending together, the one that began first', () => {
    const t = new TraceBuilder()
      .span({ id: 'A', service: 'a', start: 0, end: 100 })
      .span({ id: 'short', service: 'b', start: 40, end: 80, parent: 'A' })
      .span({ id: 'long', service: 'c', start: 10, end: 80, parent: 'A' });
    expect(named(t, criticalPath(t.spans))).toEqual([
      ['A', 0, 10],
      ['long', 10, 80],
      ['A', 80, 100],
    ]);
  });

  it('survives parent cycles in bad data by cutting them at the root', () => {
    const t = new TraceBuilder()
      .span({ id: 'A', service: 'a', start: 0, end: 100 })
      .span({ id: 'X', service: 'b', start: 10, end: 30, parent: 'Y' })
      .span({ id: 'Y', service: 'b', start: 20, end: 60, parent: 'X' });
    // X, the earlier of the two, hangs under the root; Y stays X's child, cut at X's end.
    expect(named(t, criticalPath(t.spans))).toEqual([
      ['A', 0, 10],
      ['X', 10, 20],
      ['Y', 20, 30],
      ['A', 30, 100],
    ]);
  });

  it('walks a chain 20,000 spans deep without running out of stack', () => {
    const t = new TraceBuilder();
    t.span({ id: 's0', service: 'a', start: 0, end: 40_000 });
    for (let i = 1; i < 20_000; i++) t.span({ id: `s${i}`, service: 'a', kind: 'internal', start: i, end: 40_000 - i, parent: `s${i - 1}` });
    const path = criticalPath(t.spans);
    expect(path).toHaveLength(2 * 20_000 - 1);
    expect(path[0]).toEqual({ spanId: t.id('s0'), start: at(0), end: at(1) });
  });

  it('covers the root exactly with contiguous segments, each inside its span, on 300 random traces', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let n = 0; n < 300; n++) {
      const t = new TraceBuilder(`random-${n}`);
      t.span({ id: 'r', service: 'root', start: 0, end: 1000 });
      const count = 1 + Math.floor(rand() * 40);
      for (let i = 0; i < count; i++) {
        const parent = i === 0 || rand() < 0.3 ? 'r' : `c${Math.floor(rand() * i)}`;
        const start = Math.floor(rand() * 1200) - 100;
        const end = start + Math.floor(rand() * 600);
        t.span({ id: `c${i}`, service: `s${i % 5}`, kind: rand() < 0.5 ? 'client' : 'server', start, end, parent: rand() < 0.05 ? 'missing' : parent });
      }
      const path = criticalPath(t.spans);
      const byId = new Map(t.spans.map((s) => [s.spanId, s]));
      const root = buildSpanTree(t.spans).root!;
      expect(path[0]!.start).toBe(root.start);
      expect(path[path.length - 1]!.end).toBe(root.start + root.duration);
      for (let i = 0; i < path.length; i++) {
        const seg = path[i]!;
        const span = byId.get(seg.spanId)!;
        expect(seg.end).toBeGreaterThan(seg.start);
        expect(seg.start).toBeGreaterThanOrEqual(span.start);
        expect(seg.end).toBeLessThanOrEqual(span.start + span.duration);
        if (i > 0) expect(seg.start).toBe(path[i - 1]!.end);
      }
    }
  });
});
