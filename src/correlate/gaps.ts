// Where the critical path's time went: each service's own time, and the gaps no server span covers.
import type { Span } from '../model/records.js';
import type { PathSegment } from './critical-path.js';
import { buildSpanTree, type SpanTree } from './tree.js';
import { UNKNOWN_SERVICE } from './types.js';

/**
 * - `request`: a call had left the caller and the callee had not started on it (network, queue, connect);
 * - `response`: the callee had finished and the caller had not yet received the answer;
 * - `between-calls`: inside one call, between two attempts at it (retries) or two callees;
 * - `downstream`: waiting on a callee that sent no spans or logs (a database, a third-party API).
 */
export type GapKind = 'request' | 'response' | 'between-calls' | 'downstream';

export interface Gap {
  /** The caller. */
  from: string;
  /** The callee: its service, or for `downstream` what the client span says it called. */
  to: string;
  start: number;
  end: number;
  duration: number;
  kind: GapKind;
  /** The client span the time was spent in. */
  spanId: string;
  description: string;
}

export interface SpanTime {
  spanId: string;
  name: string;
  duration: number;
}

export interface PathAnalysis {
  /** The critical path's length: the root's duration. */
  total: number;
  gaps: Gap[];
  /** µs of the critical path spent in each service's own spans (server, internal, consumer). */
  selfTime: Record<string, number>;
  /** Per service, its span with the most time on the critical path. */
  topSpan: Record<string, SpanTime>;
}

const PEER_KEYS = ['peer.service', 'server.address', 'net.peer.name', 'db.name', 'db.system', 'messaging.destination.name', 'http.host'];

/** What a client span called, when the callee sent nothing: its peer attributes, its URL's host, its name. */
export function peerName(span: Span): string {
  const a = span.attributes ?? {};
  for (const key of PEER_KEYS) {
    const v = a[key];
    if (typeof v === 'string' && v.length > 0) return v;
  }
  const url = a['http.url'] ?? a['url.full'];
  if (typeof url === 'string') {
    try {
      return new URL(url).host;
    } catch {
      // not a URL: fall through to the name
    }
  }
  // Our adapters name client spans `METHOD host/path`.
  const m = /^(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) ([^\s/]+)\/?\S*$/.exec(span.name);
  return m !== null ? m[1]! : span.name;
}

export function gapDescription(kind: GapKind, from: string, to: string): string {
  switch (kind) {
    case 'request':
      return `between the call leaving ${from} and ${to} receiving it`;
    case 'response':
      return `between ${to} answering and ${from} receiving the answer`;
    case 'between-calls':
      return `between consecutive calls from ${from} to ${to}`;
    case 'downstream':
      return `waiting on ${to}, which sent no spans or logs`;
  }
}

function calleesOf(tree: SpanTree, client: Span): Span[] {
  return (tree.children.get(client.spanId) ?? [])
    .filter((c) => c.kind === 'server' || c.kind === 'consumer' || c.service !== client.service)
    .sort((a, b) => a.start - b.start);
}

function classify(tree: SpanTree, client: Span, seg: PathSegment, from: string): { kind: GapKind; to: string } {
  const callees = calleesOf(tree, client);
  if (callees.length === 0) return { kind: 'downstream', to: peerName(client) };
  const middle = (seg.start + seg.end) / 2;
  const first = callees[0]!;
  if (middle < first.start) return { kind: 'request', to: first.service ?? UNKNOWN_SERVICE };
  let last = first;
  for (const c of callees) if (c.start + c.duration > last.start + last.duration) last = c;
  if (middle >= last.start + last.duration) return { kind: 'response', to: last.service ?? UNKNOWN_SERVICE };
  const nextCallee = callees.find((c) => c.start >= middle) ?? last;
  return { kind: 'between-calls', to: nextCallee.service ?? from };
}

/** Splits the critical path into each service's own time and the gaps between services. */
export function analyzePath(path: readonly PathSegment[], spansOrTree: readonly Span[] | SpanTree): PathAnalysis {
  const tree = Array.isArray(spansOrTree) ? buildSpanTree(spansOrTree) : (spansOrTree as SpanTree);
  const gaps: Gap[] = [];
  const selfTime: Record<string, number> = {};
  const bySpan = new Map<string, number>();
  let total = 0;
  for (const seg of path) {
    const span = tree.byId.get(seg.spanId);
    if (span === undefined) continue;
    const duration = seg.end - seg.start;
    total += duration;
    const service = span.service ?? UNKNOWN_SERVICE;
    if (span.kind === 'client' || span.kind === 'producer') {
      const { kind, to } = classify(tree, span, seg, service);
      gaps.push({ from: service, to, start: seg.start, end: seg.end, duration, kind, spanId: span.spanId, description: gapDescription(kind, service, to) });
      continue;
    }
    selfTime[service] = (selfTime[service] ?? 0) + duration;
    bySpan.set(span.spanId, (bySpan.get(span.spanId) ?? 0) + duration);
  }
  const topSpan: Record<string, SpanTime> = {};
  for (const [spanId, duration] of bySpan) {
    const span = tree.byId.get(spanId)!;
    const service = span.service ?? UNKNOWN_SERVICE;
    const top = topSpan[service];
    if (top === undefined || duration > top.duration) topSpan[service] = { spanId, name: span.name, duration };
  }
  return { total, gaps, selfTime, topSpan };
}
