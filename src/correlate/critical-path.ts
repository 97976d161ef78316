// The critical path of a trace: the spans, and parts of spans, that the root's end waited on (Jaeger's semantics).
import type { Span } from '../model/records.js';
import { buildSpanTree, type SpanTree } from './tree.js';

export interface PathSegment {
  spanId: string;
  /** µs since the epoch. */
  start: number;
  end: number;
}

type Bounds = [start: number, end: number];

/**
 * Children clipped to their parent, top-down, as Jaeger does before walking: a child that ends after its
 * parent is cut at the parent's end, one that starts before it is cut at its start, and one that starts
 * after the parent ended (async, follows-from work nobody waited on) is left out with its subtree.
 */
function clip(tree: SpanTree, root: Span): { bounds: Map<string, Bounds>; kept: Map<string, Span[]> } {
  const bounds = new Map<string, Bounds>([[root.spanId, [root.start, root.start + root.duration]]]);
  const kept = new Map<string, Span[]>();
  const queue: Span[] = [root];
  for (let i = 0; i < queue.length; i++) {
    const p = queue[i]!;
    const [ps, pe] = bounds.get(p.spanId)!;
    const list: Span[] = [];
    for (const c of tree.children.get(p.spanId) ?? []) {
      const cs = c.start;
      const ce = c.start + c.duration;
      if (cs > pe || ce < ps || bounds.has(c.spanId)) continue;
      bounds.set(c.spanId, [Math.max(cs, ps), Math.min(ce, pe)]);
      list.push(c);
      queue.push(c);
    }
    // Latest end first; of two that end together, the one that began first covers more of the wait.
    list.sort((a, b) => bounds.get(b.spanId)![1] - bounds.get(a.spanId)![1] || bounds.get(a.spanId)![0] - bounds.get(b.spanId)![0]);
    kept.set(p.spanId, list);
  }
  return { bounds, kept };
}

/**
 * Walks back from the root's end: the child that finished last before the current point is on the
 * path, recursively; what no such child covers is the parent's own time. Segments come back in time
 * order, adjacent pieces of one span merged, covering the root's extent exactly. Spans whose parent is
 * missing hang under the root (see buildSpanTree). Iterative, so deep traces cannot overflow the stack.
 */
export function criticalPath(spans: readonly Span[], tree: SpanTree = buildSpanTree(spans)): PathSegment[] {
  const root = tree.root;
  if (root === undefined) return [];
  const { bounds, kept } = clip(tree, root);
  // Each parent's bound only moves earlier, so a child found ineligible stays so: one pointer per parent.
  const next = new Map<string, number>();
  const nextChild = (id: string, until: number): Span | undefined => {
    const list = kept.get(id) ?? [];
    let i = next.get(id) ?? 0;
    for (; i < list.length; i++) {
      const [cs, ce] = bounds.get(list[i]!.spanId)!;
      if (ce <= until && cs < until) break;
    }
    next.set(id, i + 1);
    return list[i];
  };
  const backwards: PathSegment[] = [];
  const push = (spanId: string, start: number, end: number): void => {
    const last = backwards[backwards.length - 1];
    if (last !== undefined && last.spanId === spanId && last.start === end) last.start = start;
    else backwards.push({ spanId, start, end });
  };
  const stack: Span[] = [];
  let current = root;
  let until = bounds.get(root.spanId)![1];
  for (;;) {
    const child = nextChild(current.spanId, until);
    if (child !== undefined) {
      const end = bounds.get(child.spanId)![1];
      if (end < until) push(current.spanId, end, until);
      stack.push(current);
      current = child;
      until = end;
      continue;
    }
    const start = bounds.get(current.spanId)![0];
    if (start < until) push(current.spanId, start, until);
    const parent = stack.pop();
    if (parent === undefined) break;
    until = start;
    current = parent;
  }
  return backwards.reverse();
}
