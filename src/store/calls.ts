// The calls in progress on a store, so that closing waits for them and refuses what comes after.
import { StoreError } from './errors.js';

export class Calls {
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;

  /** Runs a call, remembered until it settles; refused with STORE_CLOSED once closing has begun. */
  track<T>(work: () => Promise<T>): Promise<T> {
    if (this.closing !== undefined) return Promise.reject(new StoreError('STORE_CLOSED', 'the store is closed: open it again to use it'));
    const run = work();
    this.inFlight.add(run);
    const forget = () => this.inFlight.delete(run);
    run.then(forget, forget);
    return run;
  }

  /** Refuses new calls, waits for every call in progress (and those they start), then runs `finish` once; the same promise each time. */
  close(finish: () => Promise<void>): Promise<void> {
    this.closing ??= (async () => {
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
      await finish();
    })();
    return this.closing;
  }
}
