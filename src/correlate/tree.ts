// The span tree of one trace: its root, each span's parent and children, and spans whose parent is missing.
import type { Span } from '../model/records.js';
import { findRoot } from './derive-parents.js';

export interface SpanTree {
  root: Span | undefined;
  byId: Map<string, Span>;
  /** The parent used for layout and the critical path; undefined only for the root. */
  parent: Map<string, string | undefined>;
  children: Map<string, Span[]>;
  depth: Map<string, number>;
  /**
   * Spans whose parent is not in the trace (never received, or no parent but not the root), and spans
   * caught in a parent cycle: they hang under the root, which is the earliest span without a parent.
   */
  orphans: Set<string>;
}

export function buildSpanTree(spans: readonly Span[]): SpanTree {
  const byId = new Map<string, Span>();
  for (const s of spans) byId.set(s.spanId, s);
  const root = findRoot(spans);
  const parent = new Map<string, string | undefined>();
  const children = new Map<string, Span[]>();
  const orphans = new Set<string>();
  const link = (s: Span, p: string): void => {
    parent.set(s.spanId, p);
    let list = children.get(p);
    if (list === undefined) children.set(p, (list = []));
    list.push(s);
  };
  for (const s of spans) {
    if (s === root) {
      parent.set(s.spanId, undefined);
    } else if (s.parentSpanId !== undefined && s.parentSpanId !== s.spanId && byId.has(s.parentSpanId)) {
      link(s, s.parentSpanId);
    } else if (root !== undefined) {
      link(s, root.spanId);
      orphans.add(s.spanId);
    }
  }
  const depth = new Map<string, number>();
  const walk = (from: Span, d: number): void => {
    const queue: Span[] = [from];
    depth.set(from.spanId, d);
    for (let i = 0; i < queue.length; i++) {
      const s = queue[i]!;
      const below = depth.get(s.spanId)! + 1;
      for (const c of children.get(s.spanId) ?? []) {
        if (depth.has(c.spanId)) continue;
        depth.set(c.spanId, below);
        queue.push(c);
      }
    }
  };
  if (root !== undefined) walk(root, 0);
  // Spans not reached from the root sit in a parent cycle: cut each cycle at its earliest span.
  if (root !== undefined && depth.size < byId.size) {
    const unreached = spans.filter((s) => !depth.has(s.spanId)).sort((a, b) => a.start - b.start);
    for (const s of unreached) {
      if (depth.has(s.spanId)) continue;
      const old = parent.get(s.spanId);
      if (old !== undefined) children.set(old, (children.get(old) ?? []).filter((c) => c !== s));
      link(s, root.spanId);
      orphans.add(s.spanId);
      walk(s, 1);
    }
  }
  return { root, byId, parent, children, depth, orphans };
}

/** The same tree over replacement span objects (shifted copies, say), so the shape is decided once. */
export function remapTree(tree: SpanTree, replace: (s: Span) => Span): SpanTree {
  const byId = new Map<string, Span>();
  for (const [id, s] of tree.byId) byId.set(id, replace(s));
  const children = new Map<string, Span[]>();
  for (const [id, list] of tree.children) children.set(id, list.map((c) => byId.get(c.spanId)!));
  const root = tree.root === undefined ? undefined : byId.get(tree.root.spanId);
  return { root, byId, parent: tree.parent, children, depth: tree.depth, orphans: tree.orphans };
}
