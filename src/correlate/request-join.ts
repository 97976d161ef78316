// Joins requests with the error-level lines logged inside them, across batches, in bounded memory.
import { BoundedMap } from './bounded-map.js';

/** A request counted in a minute's rollup. */
export interface RequestMark {
  spanId?: string;
  start: number;
  end: number;
  /** The minute (µs) it was counted in. */
  minute: number;
  failed: boolean;
}

interface ErrorMark {
  spanId?: string;
  time: number;
}

interface Entry {
  requests: RequestMark[];
  errorLines: ErrorMark[];
}

/** Per trace and service, this many requests and error lines are remembered (retries, loops). */
const PER_ENTRY = 32;

function inside(line: ErrorMark, request: RequestMark): boolean {
  return (line.spanId !== undefined && line.spanId === request.spanId) || (line.time >= request.start && line.time <= request.end);
}

/**
 * An error-level line belongs to a request of the same trace and service when it names the request's
 * span or was written between its start and end. Either may arrive first; both are remembered for the
 * `limit` most recently active (trace, service) pairs, and requests by (trace, span, service) so the
 * same request read from a span and from an access-log line is counted once.
 */
export class RequestJoin {
  private readonly entries: BoundedMap<string, Entry>;
  private readonly requests: BoundedMap<string, RequestMark>;

  constructor(limit: number) {
    this.entries = new BoundedMap(limit);
    this.requests = new BoundedMap(limit);
  }

  /** The request already counted under this key, if any. */
  counted(key: string): RequestMark | undefined {
    return this.requests.touch(key);
  }

  private entry(traceId: string, service: string): Entry {
    const key = `${traceId}\u0000${service}`;
    let e = this.entries.touch(key);
    if (e === undefined) this.entries.set(key, (e = { requests: [], errorLines: [] }));
    return e;
  }

  /** Remembers a request; true when an error line seen earlier belongs to it. */
  addRequest(traceId: string, service: string, mark: RequestMark, key: string | undefined): boolean {
    if (key !== undefined) this.requests.set(key, mark);
    const e = this.entry(traceId, service);
    if (e.requests.length < PER_ENTRY) e.requests.push(mark);
    return e.errorLines.some((line) => inside(line, mark));
  }

  /** Remembers an error line; returns the requests it turns into failed ones. */
  addErrorLine(traceId: string, service: string, time: number, spanId: string | undefined): RequestMark[] {
    const e = this.entry(traceId, service);
    const line: ErrorMark = { time };
    if (spanId !== undefined) line.spanId = spanId;
    if (e.errorLines.length < PER_ENTRY) e.errorLines.push(line);
    const failed: RequestMark[] = [];
    for (const r of e.requests) {
      if (!r.failed && inside(line, r)) {
        r.failed = true;
        failed.push(r);
      }
    }
    return failed;
  }
}
