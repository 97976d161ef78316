// Rate-limited warnings: the shipper must say what it lost without flooding the stderr of the service it serves.
import { writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

/** Where warnings go; stderr unless a caller (or a test) supplies its own. */
export type WarningSink = (message: string) => void;

export const writeToStderr: WarningSink = (message) => {
  try {
    // In a worker thread (pino runs transports in one) process.stderr is relayed through the main thread
    // and is lost when the process exits, which is exactly when the last report is written: write fd 2.
    if (isMainThread) process.stderr.write(`${message}\n`);
    else writeSync(2, `${message}\n`);
  } catch {
    // stderr closed under us: nowhere left to complain to.
  }
};

interface Tally {
  pending: number;
  describe: (count: number) => string;
  timer: NodeJS.Timeout | undefined;
}

/**
 * At most one message per kind per interval. Counted events (lines dropped, batches refused) are summed
 * while a kind is quiet and reported when the interval ends, so no loss goes unreported.
 */
export class RateLimitedWarnings {
  private readonly lastAt = new Map<string, number>();
  private readonly tallies = new Map<string, Tally>();

  constructor(
    private readonly sink: WarningSink,
    private readonly intervalMs: number,
  ) {}

  /** Says `message` unless a `kind` message went out less than an interval ago. */
  warn(kind: string, message: string): void {
    const now = Date.now();
    if (now - (this.lastAt.get(kind) ?? -Infinity) < this.intervalMs) return;
    this.lastAt.set(kind, now);
    this.say(message);
  }

  /** Adds `count` events of `kind`; `describe(total)` words the report, and is called when it goes out. */
  tally(kind: string, count: number, describe: (count: number) => string): void {
    let tally = this.tallies.get(kind);
    if (!tally) {
      tally = { pending: 0, describe, timer: undefined };
      this.tallies.set(kind, tally);
    }
    tally.pending += count;
    tally.describe = describe;
    this.release(kind, tally);
  }

  /** Reports every pending tally now; used when the shipper closes and there will be no later. */
  releaseAll(): void {
    for (const tally of this.tallies.values()) {
      clearTimeout(tally.timer);
      tally.timer = undefined;
      this.report(tally);
    }
  }

  private release(kind: string, tally: Tally): void {
    const wait = (this.lastAt.get(kind) ?? -Infinity) + this.intervalMs - Date.now();
    if (wait <= 0) {
      this.lastAt.set(kind, Date.now());
      this.report(tally);
    } else if (!tally.timer) {
      tally.timer = setTimeout(() => {
        tally.timer = undefined;
        this.release(kind, tally);
      }, wait);
      tally.timer.unref();
    }
  }

  private report(tally: Tally): void {
    if (tally.pending === 0) return;
    const count = tally.pending;
    tally.pending = 0;
    this.say(tally.describe(count));
  }

  private say(message: string): void {
    try {
      this.sink(message);
    } catch {
      // A broken sink must not break logging.
    }
  }
}
