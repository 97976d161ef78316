// One sentence naming where most of a trace's time went, with durations written for people.
import type { GapKind, PathAnalysis } from './gaps.js';

/** `850 µs`, `4.2 ms`, `50 ms`, `8.9 s`, `2 min 5 s`. */
export function humanDuration(us: number): string {
  const v = Math.max(0, us);
  if (v < 1000) return `${Math.round(v)} µs`;
  if (v < 10_000) return `${(v / 1000).toFixed(1)} ms`;
  if (v < 999_500) return `${Math.round(v / 1000)} ms`;
  if (v < 59_950_000) return `${(v / 1_000_000).toFixed(1)} s`;
  const seconds = Math.round(v / 1_000_000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** The largest single contributor: a service's own time, or one kind of gap between two services. */
export interface Contributor {
  kind: 'self' | GapKind;
  from: string;
  to?: string;
  duration: number;
  /** What the sentence says after the comma. */
  description: string;
}

/** Gaps of one kind between the same two services add up (three retries' worth of request gaps is one cause). */
export function largestContributor(analysis: PathAnalysis): Contributor | undefined {
  const candidates = new Map<string, Contributor>();
  for (const gap of analysis.gaps) {
    const key = `${gap.kind}\u0000${gap.from}\u0000${gap.to}`;
    const c = candidates.get(key);
    if (c !== undefined) c.duration += gap.duration;
    else candidates.set(key, { kind: gap.kind, from: gap.from, to: gap.to, duration: gap.duration, description: gap.description });
  }
  for (const [service, duration] of Object.entries(analysis.selfTime)) {
    const top = analysis.topSpan[service];
    const where = top === undefined ? '' : ` (${top.name})`;
    candidates.set(`self\u0000${service}`, { kind: 'self', from: service, duration, description: `in ${service} itself${where}` });
  }
  let best: Contributor | undefined;
  for (const c of candidates.values()) if (best === undefined || c.duration > best.duration) best = c;
  return best;
}

/**
 * `8.9 s of 10.0 s: inventory → shipping, between the call leaving inventory and shipping receiving it`,
 * or `…: shipping, in shipping itself (GET /quote)` when a service's own time is the largest part.
 */
export function summarize(analysis: PathAnalysis): string {
  const best = largestContributor(analysis);
  if (best === undefined || analysis.total <= 0) {
    return best === undefined ? 'No spans in this trace, so there is no critical path to explain.' : `The trace took ${humanDuration(analysis.total)}.`;
  }
  const who = best.kind === 'self' ? best.from : `${best.from} → ${best.to}`;
  return `${humanDuration(best.duration)} of ${humanDuration(analysis.total)}: ${who}, ${best.description}`;
}
